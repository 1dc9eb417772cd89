// Text a database cannot store faithfully is refused before any resolver runs: Postgres rejects
// U+0000 in text (the raw driver error would surface as INTERNAL_SERVER_ERROR), and an unpaired
// UTF-16 surrogate is silently turned into U+FFFD on its way to UTF-8. Every string the operation
// carries is checked, literal or variable, however deeply nested in input objects and lists.
import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  visit,
  type DocumentNode,
  type OperationDefinitionNode,
  type ValueNode,
  type VariableDefinitionNode,
} from 'graphql';
import { ErrorCode } from '../errors';

// A high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const hasInvalidText = (value: string) => value.includes('\u0000') || UNPAIRED_SURROGATE.test(value);

/**
 * Operations whose own text (literals and variable defaults, with the fragments they may spread)
 * holds no invalid string. Apollo Server keeps one parsed document per query text, so a query
 * sent again is looked up here instead of walked again.
 */
const cleanOperations = new WeakMap<DocumentNode, Map<OperationDefinitionNode, boolean>>();

/**
 * Whether any string in a JSON value (a request's variables) has invalid text. Without recursion:
 * variables may nest tens of thousands deep (the hostile corpus sends them).
 */
function holdsInvalidText(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next === 'string') {
      if (hasInvalidText(next)) return true;
    } else if (Array.isArray(next)) {
      for (const item of next) pending.push(item);
    } else if (next && typeof next === 'object') {
      for (const key in next) pending.push((next as Record<string, unknown>)[key]);
    }
  }
  return false;
}

/**
 * The argument path (`filter.search`, `input.tiers[2].name`) of the first string with a NUL or an
 * unpaired surrogate in the operation's argument values, or null when every string is fine.
 */
export function findInvalidText(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> | undefined,
): string | null {
  let known = cleanOperations.get(document);
  if (!known) cleanOperations.set(document, (known = new Map()));
  let clean = known.get(operation);
  if (clean === undefined) {
    clean = findInvalidTextIn(document, operation, {}) === null;
    known.set(operation, clean);
  }
  // Nothing bad in the text nor in any variable: no argument can hold a bad string.
  if (clean && !holdsInvalidText(variables)) return null;
  return findInvalidTextIn(document, operation, variables);
}

function findInvalidTextIn(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> | undefined,
): string | null {
  const definitions = new Map<string, VariableDefinitionNode>(
    (operation.variableDefinitions ?? []).map((definition) => [definition.variable.name.value, definition]),
  );
  let found: string | null = null;

  const checkRaw = (value: unknown, path: string): string | null => {
    if (typeof value === 'string') return hasInvalidText(value) ? path : null;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i += 1) {
        const bad = checkRaw(value[i], `${path}[${i}]`);
        if (bad) return bad;
      }
      return null;
    }
    if (value && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        const bad = checkRaw(item, `${path}.${key}`);
        if (bad) return bad;
      }
    }
    return null;
  };

  const checkNode = (node: ValueNode, path: string): string | null => {
    switch (node.kind) {
      case Kind.STRING:
        return hasInvalidText(node.value) ? path : null;
      case Kind.LIST:
        for (let i = 0; i < node.values.length; i += 1) {
          const bad = checkNode(node.values[i]!, `${path}[${i}]`);
          if (bad) return bad;
        }
        return null;
      case Kind.OBJECT:
        for (const field of node.fields) {
          const bad = checkNode(field.value, `${path}.${field.name.value}`);
          if (bad) return bad;
        }
        return null;
      case Kind.VARIABLE: {
        const name = node.name.value;
        if (variables && Object.prototype.hasOwnProperty.call(variables, name))
          return checkRaw(variables[name], path);
        const fallback = definitions.get(name)?.defaultValue;
        return fallback ? checkNode(fallback, path) : null;
      }
      default:
        return null;
    }
  };

  // The operation and the fragments it may spread (validation refuses unused fragments).
  const parts = [
    operation,
    ...document.definitions.filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION),
  ];
  for (const part of parts) {
    visit(part, {
      Argument(argument) {
        if (found) return false;
        found = checkNode(argument.value, argument.name.value);
        return false;
      },
    });
    if (found) return found;
  }
  return found;
}

/** BAD_USER_INPUT naming the argument path; `status` is the HTTP status of the refusal. */
export function invalidTextError(path: string, status: number): GraphQLError {
  return new GraphQLError(
    `${path} contains a character that is not allowed (NUL or an unpaired surrogate).`,
    {
      extensions: { code: ErrorCode.BAD_USER_INPUT, field: path, http: { status } },
    },
  );
}

/**
 * Refuses the operation before execution. A subgraph answers HTTP 200, so that the router (and a
 * SubgraphClient) passes the BAD_USER_INPUT on as a GraphQL error instead of a subgraph failure.
 */
export function invalidTextPlugin<Context extends object>(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request }) {
          if (!operation) return;
          const path = findInvalidText(document, operation, request.variables);
          if (path) throw invalidTextError(path, 200);
        },
      };
    },
  };
}
