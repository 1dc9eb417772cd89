import net from 'node:net';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { parse } from 'graphql';
import { DEADLINE_HEADER } from '@flow/core';
import { createLogger } from '@flow/core';
import { SubgraphClient, type TypedDocumentNode } from '../src/subgraph-client';
import { startSubgraphServer, type BaseContext, type RunningSubgraph } from '../src/subgraph-server';

// The deadline a subgraph works to: the caller's signed x-flow-deadline, clamped to its maximum,
// passed on by SubgraphClient (idempotent calls only), and not forgeable.
const secret = 'request-deadline-test-secret';
const logger = createLogger('test', 'silent');
const MAX_DEADLINE_MS = 5000;
let server: RunningSubgraph;

beforeAll(async () => {
  const schema = buildSubgraphSchema({
    typeDefs: parse('type Query { deadline: Float }  type Mutation { deadline: Float }'),
    resolvers: {
      Query: { deadline: (_: unknown, __: unknown, ctx: BaseContext) => ctx.deadline },
      Mutation: { deadline: (_: unknown, __: unknown, ctx: BaseContext) => ctx.deadline },
    } as GraphQLResolverMap<unknown>,
  });
  server = await startSubgraphServer<BaseContext>({
    name: 'callee',
    schema,
    logger,
    port: 0,
    production: true,
    routerSecret: secret,
    maxDeadlineMs: MAX_DEADLINE_MS,
    verifyToken: async () => {
      throw new Error('no tokens in this test');
    },
    buildContext: (base) => base,
    readiness: {},
  });
});
afterAll(() => server?.stop());

const client = () => new SubgraphClient({ name: 'callee', url: server.url, secret, logger });
const DEADLINE = parse('{ deadline }') as TypedDocumentNode<{ deadline: number }>;
const base = { requestId: 'deadline-test-1', authorization: null, clientAddress: null };

describe('request deadline', () => {
  it('is the subgraph maximum when the caller sets none', async () => {
    const before = Date.now();
    const { deadline } = await client().idempotent(base, DEADLINE);
    expect(deadline).toBeGreaterThanOrEqual(before + MAX_DEADLINE_MS);
    expect(deadline).toBeLessThanOrEqual(Date.now() + MAX_DEADLINE_MS);
  });

  it("is the caller's when sooner, and clamped to the maximum when later", async () => {
    const soon = Date.now() + 2000;
    const signal = new AbortController().signal;
    await expect(client().idempotent(ctxWith(soon, signal), DEADLINE)).resolves.toEqual({ deadline: soon });
    const late = Date.now() + 3_600_000;
    const { deadline } = await client().idempotent(ctxWith(late, signal), DEADLINE);
    expect(deadline).toBeLessThanOrEqual(Date.now() + MAX_DEADLINE_MS);
  });

  it('is not passed on by writes, which are never cut off by the caller', async () => {
    const soon = Date.now() + 2000;
    const { deadline } = await client().once(
      ctxWith(soon, new AbortController().signal),
      parse('mutation { deadline }') as TypedDocumentNode<{ deadline: number }>,
    );
    expect(deadline).toBeGreaterThan(soon);
  });

  it('refuses a deadline changed after signing', async () => {
    const forged = new SubgraphClient({
      name: 'callee',
      url: server.url,
      secret,
      logger,
      fetch: (url, init) => {
        const headers = new Headers(init?.headers);
        headers.set(DEADLINE_HEADER, String(Date.now() + 3_600_000));
        return fetch(url, { ...init, headers });
      },
      retries: 0,
    });
    await expect(forged.idempotent(ctxWith(Date.now() + 2000), DEADLINE)).rejects.toMatchObject({
      extensions: { code: 'UNAUTHENTICATED' },
    });
  });

  it('makes no call once the caller has aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    let calls = 0;
    const counting = new SubgraphClient({
      name: 'callee',
      url: server.url,
      secret,
      logger,
      fetch: (url, init) => {
        calls += 1;
        return fetch(url, init);
      },
    });
    await expect(
      counting.idempotent(ctxWith(Date.now() + 2000, controller.signal), DEADLINE),
    ).rejects.toMatchObject({
      extensions: { code: 'GATEWAY_TIMEOUT' },
    });
    expect(calls).toBe(0);
    expect(counting.breakerState).toBe('closed');
  });
});

function ctxWith(deadline: number, signal?: AbortSignal) {
  return { ...base, deadline, signal };
}

describe('subgraph HTTP server policy', () => {
  it('closes a half-sent request with 408 after its headers timeout', async () => {
    const schema = buildSubgraphSchema({ typeDefs: parse('type Query { ok: Boolean }') });
    const policed = await startSubgraphServer<BaseContext>({
      name: 'policed',
      schema,
      logger,
      port: 0,
      production: false,
      routerSecret: secret,
      http: { headersTimeoutMs: 300, requestTimeoutMs: 600, keepAliveTimeoutMs: 300, maxConnections: 100 },
      verifyToken: async () => {
        throw new Error('no tokens in this test');
      },
      buildContext: (context) => context,
      readiness: {},
    });
    const socket = net.connect(policed.port, '127.0.0.1');
    try {
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
      const closed = new Promise((resolve) => socket.once('close', resolve));
      socket.write('POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      await closed;
      expect(received).toMatch(/^HTTP\/1.1 408/);
    } finally {
      socket.destroy();
      await policed.stop();
    }
  });
});
