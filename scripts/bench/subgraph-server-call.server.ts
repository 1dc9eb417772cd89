// The subgraph server subgraph-server-call.ts loads: startSubgraphServer of the checkout at
// BENCH_KIT_ROOT (this one or another, e.g. main) with in-memory resolvers; prints its port.
// Every package is loaded from that checkout: a schema built with another copy of graphql is refused.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type * as Subgraph from '@apollo/subgraph';
import type * as GraphQL from 'graphql';
import type * as Core from '@flow/core';
import type { Viewer } from '@flow/core';
import type * as Kit from '@flow/subgraph-kit';

const products = new Map(
  Array.from({ length: 10 }, (_, i) => {
    const id = `00000000-0000-4000-8000-00000000000${i}`;
    return [id, { id, name: `Oxygen cylinder ${i}`, sku: `O2-${i}` }] as const;
  }),
);
const viewer: Viewer = {
  userId: '00000000-0000-4000-8000-0000000000aa',
  organizationId: '00000000-0000-4000-8000-0000000000bb',
  organizationKind: 'HOSPITAL',
  role: 'HOSPITAL_ADMIN',
  scopes: [],
  tokenId: undefined,
};

async function main() {
  const root = process.env.BENCH_KIT_ROOT!;
  const load = createRequire(join(root, 'package.json'));
  const kit = load('@flow/subgraph-kit') as typeof Kit;
  const { buildSubgraphSchema } = load('@apollo/subgraph') as typeof Subgraph;
  const { parse } = load('graphql') as typeof GraphQL;
  const { createLogger } = load('@flow/core') as typeof Core;
  const schema = buildSubgraphSchema({
    typeDefs: parse(`
      type Query { ping: String products(ids: [ID!]!): [Product!]! }
      type Product @key(fields: "id") { id: ID! name: String! sku: String! }
    `),
    resolvers: {
      Query: {
        ping: () => 'pong',
        products: (_: unknown, { ids }: { ids: string[] }) => ids.map((id) => ({ id, name: id, sku: id })),
      },
      Product: { __resolveReference: ({ id }: { id: string }) => products.get(id) ?? null },
    } as GraphQLResolverMap<unknown>,
  });
  const server = await kit.startSubgraphServer<Kit.BaseContext>({
    name: 'bench',
    schema,
    logger: createLogger('bench', 'warn'),
    port: 0,
    production: true,
    routerSecret: process.env.BENCH_SECRET!,
    // A verified-token cache hit, as on every call after a token's first.
    verifyToken: async () => viewer,
    buildContext: (base) => base,
    readiness: { memory: async () => undefined },
  });
  process.stdout.write(`listening ${server.port}\n`);
  process.once('SIGTERM', () => {
    void server.stop().then(() => process.exit(0));
  });
}

void main();
