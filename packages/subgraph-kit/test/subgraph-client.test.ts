import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'graphql';
import { createLogger } from '@flow/core';
import { verifyRequestSignature } from '@flow/core';
import { SubgraphClient, type TypedDocumentNode } from '../src/subgraph-client';

// A real HTTP server whose behaviour each test scripts: answers, 500s, hangs.
type Behaviour = (
  body: { query: string; variables?: Record<string, unknown> },
  req: http.IncomingMessage,
) => { status: number; json?: unknown } | 'hang';

let behaviour: Behaviour;
let calls = 0;
let server: http.Server;
let url: string;
const secret = 'subgraph-client-test-secret';
const ctx = { requestId: 'client-test-1', authorization: 'Bearer abc', clientAddress: '10.0.0.9' };

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      calls += 1;
      const outcome = behaviour(JSON.parse(raw), req);
      if (outcome === 'hang') return;
      res.writeHead(outcome.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(outcome.json ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  calls = 0;
});

const client = (overrides: Partial<ConstructorParameters<typeof SubgraphClient>[0]> = {}) =>
  new SubgraphClient({
    name: 'locations',
    url,
    secret,
    logger: createLogger('test', 'silent'),
    timeoutMs: 300,
    retryBaseMs: 5,
    ...overrides,
  });

describe('SubgraphClient', () => {
  it('signs the call like the router, on behalf of the same viewer', async () => {
    behaviour = (body, req) => {
      const check = verifyRequestSignature(secret, req.headers['x-flow-signature'] as string, {
        timestamp: req.headers['x-flow-timestamp'] as string,
        requestId: req.headers['x-request-id'] as string,
        authorization: req.headers.authorization ?? '',
        clientAddress: (req.headers['x-flow-client-address'] as string) ?? '',
        query: body.query,
        operationName: null,
        variables: body.variables ?? null,
      });
      return { status: 200, json: { data: { valid: check.valid, auth: req.headers.authorization } } };
    };
    await expect(client().idempotent(ctx, parse('{ valid }'), { a: 1 })).resolves.toEqual({
      valid: true,
      auth: 'Bearer abc',
    });
  });

  it('retries a read after a 500 and succeeds', async () => {
    behaviour = () => (calls === 1 ? { status: 500 } : { status: 200, json: { data: { ok: true } } });
    await expect(client().idempotent(ctx, parse('{ ok }'))).resolves.toEqual({ ok: true });
    expect(calls).toBe(2);
  });

  it('never retries a write', async () => {
    behaviour = () => ({ status: 500 });
    await expect(client().once(ctx, parse('mutation { x }'))).rejects.toMatchObject({
      extensions: { code: 'SERVICE_UNAVAILABLE' },
    });
    expect(calls).toBe(1);
  });

  it('gives up on a hanging dependency after the deadline, as SERVICE_UNAVAILABLE', async () => {
    behaviour = () => 'hang';
    const started = Date.now();
    await expect(client({ retries: 1 }).idempotent(ctx, parse('{ slow }'))).rejects.toMatchObject({
      extensions: { code: 'SERVICE_UNAVAILABLE', service: 'locations' },
    });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('passes the caller’s own errors through unchanged', async () => {
    behaviour = () => ({
      status: 200,
      json: { errors: [{ message: 'nope', extensions: { code: 'FORBIDDEN' } }] },
    });
    await expect(client().idempotent(ctx, parse('{ x }'))).rejects.toMatchObject({
      message: 'nope',
      extensions: { code: 'FORBIDDEN' },
    });
    expect(calls).toBe(1);
  });

  it('hides a dependency’s internal errors', async () => {
    behaviour = () => ({
      status: 200,
      json: {
        errors: [{ message: 'relation "x" does not exist', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
      },
    });
    await expect(client().idempotent(ctx, parse('{ x }'))).rejects.toMatchObject({
      extensions: { code: 'SERVICE_UNAVAILABLE' },
    });
  });

  it('opens the circuit after repeated failures, fails fast while open, and closes after a good trial call', async () => {
    behaviour = () => ({ status: 503 });
    const breaker = client({ retries: 0, breakerThreshold: 3, breakerOpenMs: 200 });
    for (let i = 0; i < 3; i++) await expect(breaker.idempotent(ctx, parse('{ x }'))).rejects.toThrow();
    expect(breaker.breakerState).toBe('open');
    const before = calls;
    await expect(breaker.idempotent(ctx, parse('{ x }'))).rejects.toMatchObject({
      extensions: { code: 'SERVICE_UNAVAILABLE' },
    });
    expect(calls).toBe(before);

    await new Promise((r) => setTimeout(r, 250));
    behaviour = () => ({ status: 200, json: { data: { x: 1 } } });
    await expect(breaker.idempotent(ctx, parse('{ x }'))).resolves.toEqual({ x: 1 });
    expect(breaker.breakerState).toBe('closed');
  });

  it('takes its variables and result types from the document (checked by tsc)', async () => {
    behaviour = (body) => ({ status: 200, json: { data: { site: { id: body.variables?.id } } } });
    const siteById = parse('query Site($id: ID!) { site(id: $id) { id } }') as TypedDocumentNode<
      { site: { id: string } | null },
      { id: string }
    >;
    const { site } = await client().idempotent(ctx, siteById, { id: 's-1' });
    expect(site?.id).toBe('s-1');
    // Type errors only, never called.
    const misuses = (c: SubgraphClient) => [
      // @ts-expect-error: the operation requires $id.
      c.idempotent(ctx, siteById),
      // @ts-expect-error: the operation has no $name.
      c.once(ctx, siteById, { id: 's-1', name: 'x' }),
    ];
    expect(misuses).toBeInstanceOf(Function);
    // @ts-expect-error: no such field in the result.
    expect(site?.name).toBeUndefined();
  });
});
