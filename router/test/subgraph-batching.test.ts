// The router's subgraph calls: the queries one client request starts in the same tick go to a
// subgraph as one signed batch, and identical queries in flight for the same caller share one
// call. Checked against the real subgraph server (production: it refuses anything unsigned).
import { parse } from 'graphql';
import { REQUEST_ID_HEADER, SIGNATURE_HEADER, signRequest, TIMESTAMP_HEADER } from '@flow/core';
import { batchSignedOperation } from '@flow/subgraph-kit';
import { SignedDataSource } from '../src/datasource';
import type { RouterContext } from '../src/context';
import { SECRET, silentLogger, startRouterFixture, type RouterFixture } from './support';

let fixture: RouterFixture;
let source: SignedDataSource;

beforeAll(async () => {
  fixture = await startRouterFixture('batching-key', { production: true });
  source = new SignedDataSource({
    name: 'users',
    url: fixture.subgraph.url,
    secret: SECRET,
    logger: silentLogger(),
    timeoutMs: 10_000,
  });
});

afterAll(async () => {
  source?.close();
  await fixture?.stop();
});

let requests = 0;
async function contextFor(sub: string): Promise<RouterContext> {
  requests += 1;
  return {
    requestId: `request-${requests}`,
    viewer: null,
    authorization: `Bearer ${await fixture.token({ sub })}`,
    clientAddress: '203.0.113.7',
    logger: silentLogger(),
    noteOperationName: () => undefined,
  };
}

const call = (context: RouterContext, query: string, variables: Record<string, unknown> = {}) =>
  source.process({
    // GraphQLDataSourceRequestKind.INCOMING_OPERATION (the gateway exports the enum as a type only).
    kind: 'incoming operation' as never,
    request: { query, variables },
    incomingRequestContext: {} as never,
    context,
    document: parse(query),
    pathInIncomingRequest: [],
  });

const ORGANIZATION = 'query Org($id:ID!){organization(id:$id){id name}}';
const ME = 'query Me{me{id email}}';
const LOGOUT = 'mutation Logout{logout(refreshToken:"r-1")}';

/** Runs `calls` in the same tick; returns their results and how many HTTP requests reached the subgraph. */
async function together<T>(calls: (() => Promise<T>)[]): Promise<{ results: T[]; hits: number }> {
  const before = fixture.subgraph.hits();
  const results = await Promise.all(calls.map((c) => c()));
  return { results, hits: fixture.subgraph.hits() - before };
}

describe('batched subgraph calls', () => {
  it('sends one request for a step and keeps each operation’s result and errors its own', async () => {
    const context = await contextFor('user-a');
    const alone = [];
    for (const id of ['org-1', 'secret', 'org-2', 'boom'])
      alone.push(await call(await contextFor('user-a'), ORGANIZATION, { id }));
    expect(alone[0]).toEqual({ data: { organization: { id: 'org-1', name: 'St. Mary Hospital' } } });
    expect(alone[1]?.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const { results, hits } = await together(
      ['org-1', 'secret', 'org-2', 'boom'].map((id) => () => call(context, ORGANIZATION, { id })),
    );
    expect(hits).toBe(1);
    expect(results).toEqual(alone);
  });

  it('never puts two client requests into one batch', async () => {
    const [first, second] = [await contextFor('user-a'), await contextFor('user-a')];
    const { hits } = await together([
      () => call(first, ORGANIZATION, { id: 'org-1' }),
      () => call(second, ORGANIZATION, { id: 'org-2' }),
    ]);
    expect(hits).toBe(2);
  });
});

describe('identical queries in flight', () => {
  it('share one call for the same caller, each with its own copy of the result', async () => {
    const context = await contextFor('user-a');
    const { results, hits } = await together([() => call(context, ME), () => call(context, ME)]);
    expect(hits).toBe(1);
    expect(results[0]).toEqual(results[1]);
    expect(results[0]).not.toBe(results[1]);
    expect(results[0]?.data).toMatchObject({ me: { id: 'user-a' } });
  });

  it('are never shared between viewers', async () => {
    const [a, b] = [await contextFor('user-a'), await contextFor('user-b')];
    const { results, hits } = await together([() => call(a, ME), () => call(b, ME)]);
    expect(hits).toBe(2);
    expect(results.map((r) => (r.data?.me as { id: string }).id)).toEqual(['user-a', 'user-b']);
  });

  it('are never shared between client addresses of the same viewer', async () => {
    const a = await contextFor('user-a');
    const b = { ...a, clientAddress: '198.51.100.9' };
    const { hits } = await together([() => call(a, ME), () => call(b, ME)]);
    expect(hits).toBe(2);
  });

  it('never include mutations, which are neither shared nor batched', async () => {
    const context = await contextFor('user-a');
    const { results, hits } = await together([() => call(context, LOGOUT), () => call(context, LOGOUT)]);
    expect(hits).toBe(2);
    expect(results).toEqual([{ data: { logout: true } }, { data: { logout: true } }]);
  });
});

describe('a batch sent to a subgraph', () => {
  const post = (headers: Record<string, string>, operations: unknown[]) =>
    fetch(fixture.subgraph.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(operations),
    });
  const signed = (operations: unknown[]) => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const requestId = 'batch-request';
    return {
      [TIMESTAMP_HEADER]: timestamp,
      [REQUEST_ID_HEADER]: requestId,
      [SIGNATURE_HEADER]: signRequest(SECRET, {
        timestamp,
        requestId,
        authorization: '',
        ...batchSignedOperation(operations),
      }),
    };
  };
  const one = { query: '{organization(id:"org-1"){id}}' };
  const two = { query: '{organization(id:"org-2"){id}}' };

  it('is answered when its signature covers every operation in it', async () => {
    const response = await post(signed([one, two]), [one, two]);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([
      { data: { organization: { id: 'org-1' } } },
      { data: { organization: { id: 'org-2' } } },
    ]);
  });

  it('is refused unsigned, or with an operation its signature does not cover', async () => {
    const before = fixture.subgraph.calls.length;
    expect((await post({}, [one, two])).status).toBe(401);
    expect((await post(signed([one]), [one, two])).status).toBe(401);
    expect((await post(signed([two, one]), [one, two])).status).toBe(401);
    expect(fixture.subgraph.calls.length).toBe(before);
  });
});
