// The DateTime scalar every subgraph declares: ISO-8601 strings on the wire, Date inside.
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { ErrorCode } from '../errors';

const BAD_DATE = (value: unknown) =>
  new GraphQLError(`DateTime must be an ISO-8601 string, got ${JSON.stringify(value)}`, {
    extensions: { code: ErrorCode.BAD_USER_INPUT },
  });

function parseDate(value: unknown): Date {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw BAD_DATE(value);
  return new Date(value);
}

export const DateTime = new GraphQLScalarType({
  name: 'DateTime',
  description: 'An instant in time, as an ISO-8601 string in UTC.',
  serialize: (value) => (value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString()),
  parseValue: parseDate,
  parseLiteral: (ast) =>
    ast.kind === Kind.STRING
      ? parseDate(ast.value)
      : (() => {
          throw BAD_DATE('a non-string literal');
        })(),
});
