import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { parse } from 'graphql';
import { createLogger, signRequest } from '@flow/core';
import {
  batchSignedOperation,
  startSubgraphServer,
  type BaseContext,
  type RunningSubgraph,
} from '../src/subgraph-server';

// What a subgraph's /graphql answers at its HTTP edge, signed or not, well-formed or not: statuses,
// content types and error codes, the request id, the deadline, the metrics; in production (the
// router's signature required) and outside it (unsigned development calls accepted).
const secret = 'graphql-edge-test-secret';
const logger = createLogger('test', 'silent');
const token = 'Bearer edge-token';
const viewer = {
  userId: 'u1',
  organizationId: 'o1',
  organizationKind: 'HOSPITAL' as const,
  role: 'HOSPITAL_ADMIN' as const,
  scopes: [],
  tokenId: undefined,
};
let production: RunningSubgraph;
let development: RunningSubgraph;

const start = (isProduction: boolean) =>
  startSubgraphServer<BaseContext>({
    name: 'edge',
    schema: buildSubgraphSchema({
      typeDefs: parse('type Query { who: String deadline: Float requestId: String boom: String }'),
      resolvers: {
        Query: {
          who: (_: unknown, __: unknown, ctx: BaseContext) => ctx.viewer?.userId ?? 'anonymous',
          deadline: (_: unknown, __: unknown, ctx: BaseContext) => ctx.deadline,
          requestId: (_: unknown, __: unknown, ctx: BaseContext) => ctx.requestId,
          boom: () => {
            throw new Error('a secret internal detail');
          },
        },
      } as GraphQLResolverMap<unknown>,
    }),
    logger,
    port: 0,
    production: isProduction,
    routerSecret: secret,
    verifyToken: async (given) => {
      if (given !== 'edge-token') throw new Error('unexpected token');
      return viewer;
    },
    buildContext: (base) => base,
    readiness: {},
  });

beforeAll(async () => {
  [production, development] = await Promise.all([start(true), start(false)]);
});
afterAll(() => Promise.all([production?.stop(), development?.stop()]));

interface Sent {
  body: string;
  headers?: Record<string, string>;
  sign?: unknown;
  url?: string;
  method?: string;
}

/** Posts `body` as the router does: signed over `sign` (the parsed operation or batch) unless false. */
async function send(server: RunningSubgraph, { body, headers = {}, sign, url, method = 'POST' }: Sent) {
  const requestId = `edge-${Math.random().toString(36).slice(2, 12)}`;
  const timestamp = String(Math.floor(Date.now() / 1000));
  const deadline = String(Date.now() + 5000);
  const signed: Record<string, string> = {};
  if (sign !== false) {
    const parsed = (sign ?? JSON.parse(body)) as Record<string, unknown> | unknown[];
    const operation = Array.isArray(parsed)
      ? batchSignedOperation(parsed)
      : {
          query: parsed.query as string,
          operationName: (parsed.operationName as string | undefined) ?? null,
          variables: (parsed.variables as Record<string, unknown> | undefined) ?? null,
        };
    signed['x-flow-signature'] = signRequest(secret, {
      timestamp,
      requestId,
      authorization: token,
      deadline,
      ...operation,
    });
  }
  const response = await fetch(url ?? server.url, {
    method,
    headers: {
      ...(method === 'GET' ? {} : { 'content-type': 'application/json' }),
      authorization: token,
      'x-request-id': requestId,
      'x-flow-timestamp': timestamp,
      'x-flow-deadline': deadline,
      ...signed,
      ...headers,
    },
    body: method === 'GET' ? undefined : body,
  });
  const text = await response.text();
  let json:
    | { data?: Record<string, unknown>; errors?: { message: string; extensions?: { code?: string } }[] }
    | unknown[]
    | undefined;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    requestId,
    response,
    text,
    json,
  };
}

const codes = (json: unknown) =>
  ((json as { errors?: { extensions?: { code?: string } }[] }).errors ?? []).map((e) => e.extensions?.code);

describe('a subgraph /graphql edge', () => {
  it('answers a signed call with JSON, echoing the request id and honouring its deadline', async () => {
    const { status, type, json, response, requestId } = await send(production, {
      body: JSON.stringify({ query: '{ who requestId deadline }' }),
    });
    expect(status).toBe(200);
    expect(type).toBe('application/json; charset=utf-8');
    expect(response.headers.get('x-request-id')).toBe(requestId);
    const data = (json as { data: { who: string; requestId: string; deadline: number } }).data;
    expect(data.who).toBe('u1');
    expect(data.requestId).toBe(requestId);
    expect(data.deadline).toBeLessThanOrEqual(Date.now() + 5000);
  });

  it('accepts a charset parameter and a byte order mark', async () => {
    const withCharset = await send(production, {
      body: JSON.stringify({ query: '{ who }' }),
      headers: { 'content-type': 'application/json; charset=UTF-8' },
    });
    expect(withCharset.json).toEqual({ data: { who: 'u1' } });
    const withBom = await send(production, {
      body: `\uFEFF${JSON.stringify({ query: '{ who }' })}`,
      sign: { query: '{ who }' },
    });
    expect(withBom.json).toEqual({ data: { who: 'u1' } });
  });

  it('refuses an unsigned or forged call in production with 401 UNAUTHENTICATED', async () => {
    const body = JSON.stringify({ query: '{ who }' });
    for (const sent of [
      { body, sign: false },
      { body, sign: { query: '{ requestId }' } },
    ]) {
      const { status, type, json } = await send(production, sent);
      expect(status).toBe(401);
      expect(type).toBe('application/json; charset=utf-8');
      expect(codes(json)).toEqual(['UNAUTHENTICATED']);
    }
  });

  it('answers a batch only under a signature covering every operation', async () => {
    const batch = [{ query: '{ who }' }, { query: '{ requestId }' }];
    const signed = await send(production, { body: JSON.stringify(batch) });
    expect(signed.status).toBe(200);
    expect((signed.json as { data: unknown }[]).map((r) => Object.keys(r.data as object))).toEqual([
      ['who'],
      ['requestId'],
    ]);
    const partly = await send(production, { body: JSON.stringify(batch), sign: [batch[0]] });
    expect(partly.status).toBe(401);
    const first = await send(production, { body: JSON.stringify(batch), sign: batch[0] });
    expect(first.status).toBe(401);
  });

  it('refuses JSON it cannot parse with 400, and a body over 1 MB with 413, signed or not', async () => {
    for (const server of [production, development]) {
      const broken = await send(server, { body: '{"query": "{ who }"', sign: false });
      expect(broken.status).toBe(400);
      const scalar = await send(server, { body: '"{ who }"', sign: false });
      expect(scalar.status).toBe(400);
      const huge = await send(server, {
        body: JSON.stringify({ query: `{ who } # ${'x'.repeat(1_100_000)}` }),
        sign: false,
      });
      expect(huge.status).toBe(413);
    }
  });

  it('masks an internal error in production', async () => {
    const { status, json, text } = await send(production, { body: JSON.stringify({ query: '{ boom }' }) });
    expect(status).toBe(200);
    expect(codes(json)).toEqual(['INTERNAL_SERVER_ERROR']);
    expect(text).not.toContain('secret internal detail');
  });

  it('keeps Apollo rules for GET and simple content types (CSRF prevention)', async () => {
    const plain = await send(development, {
      body: JSON.stringify({ query: '{ who }' }),
      headers: { 'content-type': 'text/plain' },
      sign: false,
    });
    expect(plain.status).toBe(400);
    const url = `${development.url}?query=${encodeURIComponent('{ who }')}`;
    const simpleGet = await send(development, { body: '', url, method: 'GET', sign: false });
    expect(simpleGet.status).toBe(400);
    const preflighted = await send(development, {
      body: '',
      url,
      method: 'GET',
      sign: false,
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(preflighted.status).toBe(200);
    expect(preflighted.json).toEqual({ data: { who: 'u1' } });
  });

  it('answers an unsigned development call, which may not claim to be a service', async () => {
    const { status, json } = await send(development, {
      body: JSON.stringify({ query: '{ who }' }),
      sign: false,
      headers: { 'x-flow-service': 'orders' },
    });
    expect(status).toBe(200);
    expect(json).toEqual({ data: { who: 'u1' } });
  });

  it('makes up a request id when the given one is unusable', async () => {
    const { response } = await send(development, {
      body: JSON.stringify({ query: '{ who }' }),
      sign: false,
      headers: { 'x-request-id': 'bad id!' },
    });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('counts /graphql calls by status in flow_http_request_duration_seconds', async () => {
    const metrics = async () => {
      const text = await (await fetch(new URL('/metrics', production.url))).text();
      const line = (status: string) =>
        text
          .split('\n')
          .find(
            (l) =>
              l.startsWith('flow_http_request_duration_seconds_count{') &&
              l.includes('route="/graphql"') &&
              l.includes(`status="${status}"`),
          );
      return {
        ok: Number(line('200')?.split(' ').pop() ?? 0),
        refused: Number(line('401')?.split(' ').pop() ?? 0),
      };
    };
    const before = await metrics();
    await send(production, { body: JSON.stringify({ query: '{ who }' }) });
    await send(production, { body: JSON.stringify({ query: '{ who }' }), sign: false });
    const after = await metrics();
    expect(after.ok - before.ok).toBe(1);
    expect(after.refused - before.refused).toBe(1);
  });
});
