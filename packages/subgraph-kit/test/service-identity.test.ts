import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { parse } from 'graphql';
import { createLogger } from '@flow/core';
import { SubgraphClient } from '../src/subgraph-client';
import { startSubgraphServer, type BaseContext, type RunningSubgraph } from '../src/subgraph-server';

// A subgraph learns that another subgraph calls it as itself only from a valid signature.
const secret = 'service-identity-test-secret';
const logger = createLogger('test', 'silent');
let server: RunningSubgraph;

beforeAll(async () => {
  const schema = buildSubgraphSchema({
    typeDefs: parse('type Query { caller: String }'),
    resolvers: {
      Query: { caller: (_: unknown, __: unknown, ctx: BaseContext) => ctx.callerService },
    } as GraphQLResolverMap<unknown>,
  });
  server = await startSubgraphServer<BaseContext>({
    name: 'callee',
    schema,
    logger,
    port: 0,
    production: false,
    routerSecret: secret,
    verifyToken: async () => {
      throw new Error('no tokens in this test');
    },
    buildContext: (base) => base,
    readiness: {},
  });
});
afterAll(() => server?.stop());

const ctx = { requestId: 'service-test-1', authorization: null, clientAddress: null };

describe('service identity', () => {
  it('is the signed name of the calling subgraph', async () => {
    const client = new SubgraphClient({ name: 'callee', url: server.url, secret, logger, service: 'orders' });
    await expect(client.idempotent(ctx, parse('{ caller }'))).resolves.toEqual({ caller: 'orders' });
  });

  it('is null for a call without a service name', async () => {
    const client = new SubgraphClient({ name: 'callee', url: server.url, secret, logger });
    await expect(client.idempotent(ctx, parse('{ caller }'))).resolves.toEqual({ caller: null });
  });

  it('cannot be claimed by an unsigned call, nor by a call signed with another secret', async () => {
    const unsigned = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-flow-service': 'orders' },
      body: JSON.stringify({ query: '{ caller }' }),
    });
    expect(await unsigned.json()).toEqual({ data: { caller: null } });
    const forged = new SubgraphClient({
      name: 'callee',
      url: server.url,
      secret: 'not-the-secret',
      logger,
      service: 'orders',
    });
    await expect(forged.idempotent(ctx, parse('{ caller }'))).rejects.toThrow();
  });
});
