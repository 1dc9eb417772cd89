import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { parse, type GraphQLSchema } from 'graphql';
import { resolvers } from './resolvers';

export const typeDefs = parse(
  readFileSync(join(__dirname, '..', '..', '..', 'schema', 'admin.graphql'), 'utf8'),
);

/** The executable admin subgraph schema; tests use it without a port. */
export function buildAdminSchema(): GraphQLSchema {
  return buildSubgraphSchema({ typeDefs, resolvers: resolvers as GraphQLResolverMap<unknown> });
}
