// Trusted documents and APQ (issue 12, items 1 and 3): routers in front of the users test
// subgraph, with client applications written to a temporary TRUSTED_DOCUMENTS_DIR. Every refusal
// is checked to reach no subgraph (the test subgraph counts the POSTs it receives).
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, print } from 'graphql';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import type { RunningRouter } from '../src/router';
import { clientOfRequest, type ClientViewer } from '../src/trusted-documents/client';
import { loadTrustedDocuments } from '../src/trusted-documents/registry';
import { until } from './live-support';
import { metric, startRouterFixture, type RouterFixture } from './support';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

interface Listed {
  id: string;
  body: string;
}

const clients = {
  erp: {
    kind: 'partner',
    documents: 'ids-required',
    ops: [
      'query ErpMe { me { id } }',
      'query ErpOrg($id: ID!) { organization(id: $id) { id name } }',
      'mutation ErpLogout($t: String!) { logout(refreshToken: $t) }',
    ],
  },
  // A partner whose file allows text: production still requires ids, and it never registers APQ.
  integrator: { kind: 'partner', documents: 'arbitrary', ops: ['query IntegratorMe { me { id name } }'] },
  web: { kind: 'first-party', documents: 'ids-allowed', ops: ['query WebMe { me { id email } }'] },
} as const;

const listed: Record<string, Listed[]> = {};
let dir: string;

function writeClients(): string {
  const root = mkdtempSync(join(tmpdir(), 'flow-trusted-'));
  for (const [name, client] of Object.entries(clients)) {
    mkdirSync(join(root, name));
    writeFileSync(
      join(root, name, 'client.json'),
      JSON.stringify({ name, kind: client.kind, documents: client.documents }),
    );
    const operations = client.ops.map((text) => {
      const document = parse(text);
      const definition = document.definitions[0] as { name: { value: string }; operation: string };
      const body = print(document);
      return { id: sha256(body), name: definition.name.value, type: definition.operation, body };
    });
    listed[name] = operations;
    writeFileSync(
      join(root, name, 'manifest.json'),
      JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations }),
    );
  }
  return root;
}

let fixture: RouterFixture;
let production: RunningRouter;
let development: RunningRouter;
let token: string;

beforeAll(async () => {
  dir = writeClients();
  fixture = await startRouterFixture('trusted-documents', { production: true });
  token = await fixture.token({ role: 'HOSPITAL_ADMIN' });
  production = await fixture.startRouter({ FLOW_ENV: 'production', TRUSTED_DOCUMENTS_DIR: dir });
  development = await fixture.startRouter({ FLOW_ENV: 'development', TRUSTED_DOCUMENTS_DIR: dir });
});

afterAll(async () => {
  await fixture?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Sent {
  router?: RunningRouter;
  client?: string;
  body?: Record<string, unknown>;
  get?: Record<string, string>;
  headers?: Record<string, string>;
}

async function send({ router = production, client, body, get, headers = {} }: Sent) {
  const common: Record<string, string> = {
    authorization: `Bearer ${token}`,
    ...(client ? { 'apollographql-client-name': client } : {}),
    ...headers,
  };
  const response = get
    ? await fetch(`${router.url}?${new URLSearchParams(get).toString()}`, {
        headers: { ...common, 'apollo-require-preflight': 'true' },
      })
    : await fetch(router.url, {
        method: 'POST',
        headers: { ...common, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
  const json = (await response.json()) as {
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
  return { status: response.status, code: json.errors?.[0]?.extensions?.code, data: json.data, json };
}

/** The response, and how many calls reached the subgraph while it was served. */
async function counted(sent: Sent) {
  const before = fixture.subgraph.hits();
  const result = await send(sent);
  return { ...result, subgraphCalls: fixture.subgraph.hits() - before };
}

const persisted = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } });
const erpMe = () => listed.erp![0]!;

describe('a partner runs a listed operation by id', () => {
  it('POST documentId', async () => {
    const result = await counted({ client: 'erp', body: { documentId: erpMe().id } });
    expect(result).toMatchObject({ status: 200, data: { me: { id: 'user-1' } }, subgraphCalls: 1 });
  });

  it('POST extensions.persistedQuery.sha256Hash', async () => {
    const result = await counted({ client: 'erp', body: { extensions: persisted(erpMe().id) } });
    expect(result).toMatchObject({ status: 200, data: { me: { id: 'user-1' } }, subgraphCalls: 1 });
  });

  it('GET documentId, with variables', async () => {
    const org = listed.erp![1]!;
    const result = await counted({
      client: 'erp',
      get: { documentId: org.id, variables: JSON.stringify({ id: 'org-1' }) },
    });
    expect(result.status).toBe(200);
    expect(result.data).toEqual({ organization: { id: 'org-1', name: expect.any(String) } });
    expect(result.subgraphCalls).toBe(1);
  });

  it('GET extensions.persistedQuery.sha256Hash', async () => {
    const result = await counted({
      client: 'erp',
      get: { extensions: JSON.stringify(persisted(erpMe().id)) },
    });
    expect(result).toMatchObject({ status: 200, data: { me: { id: 'user-1' } }, subgraphCalls: 1 });
  });

  it('the id together with its exact text is accepted too', async () => {
    const result = await counted({ client: 'erp', body: { documentId: erpMe().id, query: erpMe().body } });
    expect(result).toMatchObject({ status: 200, subgraphCalls: 1 });
  });
});

describe('refusals reach no subgraph', () => {
  it.each([
    ['production', () => production],
    ['development', () => development],
  ])(
    'free text from an ids-required partner (%s): 400 PERSISTED_QUERY_NOT_IN_LIST',
    async (_name, router) => {
      const result = await counted({ router: router(), client: 'erp', body: { query: '{ me { id } }' } });
      expect(result).toMatchObject({ status: 400, code: 'PERSISTED_QUERY_NOT_IN_LIST', subgraphCalls: 0 });
    },
  );

  it("even the listed operation's text, without its id", async () => {
    const result = await counted({ client: 'erp', body: { query: erpMe().body } });
    expect(result).toMatchObject({ status: 400, code: 'PERSISTED_QUERY_NOT_IN_LIST', subgraphCalls: 0 });
  });

  it('a partner whose file allows text still needs ids in production', async () => {
    const result = await counted({ client: 'integrator', body: { query: '{ me { id } }' } });
    expect(result).toMatchObject({ status: 400, code: 'PERSISTED_QUERY_NOT_IN_LIST', subgraphCalls: 0 });
    const allowed = await counted({
      router: development,
      client: 'integrator',
      body: { query: '{ me { id } }' },
    });
    expect(allowed).toMatchObject({ status: 200, subgraphCalls: 1 });
  });

  it('an unknown id: 400 PERSISTED_QUERY_NOT_FOUND (POST and GET, both fields)', async () => {
    const unknown = sha256(`query Nope { me { id } } # ${randomUUID()}`);
    const requests: Sent[] = [
      { body: { documentId: unknown } },
      { body: { extensions: persisted(unknown) } },
      { get: { documentId: unknown } },
      { get: { extensions: JSON.stringify(persisted(unknown)) } },
    ];
    for (const sent of requests) {
      const result = await counted({ client: 'erp', ...sent });
      expect(result).toMatchObject({ status: 400, code: 'PERSISTED_QUERY_NOT_FOUND', subgraphCalls: 0 });
    }
  });

  it("another partner's id is not found for this one", async () => {
    const theirs = listed.integrator![0]!.id;
    const result = await counted({ client: 'erp', body: { documentId: theirs } });
    expect(result).toMatchObject({ status: 400, code: 'PERSISTED_QUERY_NOT_FOUND', subgraphCalls: 0 });
    const own = await counted({ client: 'integrator', body: { documentId: theirs } });
    expect(own).toMatchObject({ status: 200, subgraphCalls: 1 });
  });

  it('an id that is not the hash of the text sent with it: 400 PERSISTED_QUERY_HASH_MISMATCH', async () => {
    for (const body of [
      { documentId: erpMe().id, query: '{ me { id email } }' },
      { extensions: persisted(erpMe().id), query: '{ me { id email } }' },
    ]) {
      const result = await counted({ client: 'erp', body });
      expect(result).toMatchObject({ status: 400, code: 'PERSISTED_QUERY_HASH_MISMATCH', subgraphCalls: 0 });
    }
  });

  it('a listed mutation by GET: 405, nothing runs', async () => {
    const logout = listed.erp![2]!;
    const result = await counted({
      client: 'erp',
      get: { documentId: logout.id, variables: JSON.stringify({ t: 'x' }) },
    });
    expect(result).toMatchObject({ status: 405, code: 'BAD_REQUEST', subgraphCalls: 0 });
    const posted = await counted({ client: 'erp', body: { documentId: logout.id, variables: { t: 'x' } } });
    expect(posted).toMatchObject({ status: 200, data: { logout: true }, subgraphCalls: 1 });
  });

  it('a documentId that is not a string: 400 BAD_REQUEST', async () => {
    const result = await counted({ client: 'erp', body: { documentId: 5 } });
    expect(result).toMatchObject({ status: 400, code: 'BAD_REQUEST', subgraphCalls: 0 });
  });

  it('a documentId that is not one string over GET (repeated): 400 BAD_REQUEST', async () => {
    const before = fixture.subgraph.hits();
    const response = await fetch(`${production.url}?documentId=${erpMe().id}&documentId=${erpMe().id}`, {
      headers: {
        authorization: `Bearer ${token}`,
        'apollographql-client-name': 'erp',
        'apollo-require-preflight': 'true',
      },
    });
    expect(response.status).toBe(400);
    expect(fixture.subgraph.hits()).toBe(before);
  });

  it('counts them by client and outcome', async () => {
    expect(
      await metric(production.url, 'flow_router_trusted_documents_total', {
        client: 'erp',
        outcome: 'refused',
      }),
    ).toBeGreaterThan(0);
    expect(
      await metric(production.url, 'flow_router_trusted_documents_total', {
        client: 'erp',
        outcome: 'listed',
      }),
    ).toBeGreaterThan(0);
    expect(
      await metric(
        production.url,
        'flow_router_operations_refused_total',
        'reason="persisted_query_not_in_list"',
      ),
    ).toBeGreaterThan(0);
  });
});

describe('the operation budget still applies to listed operations', () => {
  it('a listed operation deeper than MAX_QUERY_DEPTH is refused, no subgraph called', async () => {
    const shallow = await fixture.startRouter({
      FLOW_ENV: 'production',
      TRUSTED_DOCUMENTS_DIR: dir,
      MAX_QUERY_DEPTH: '1',
    });
    const result = await counted({ router: shallow, client: 'erp', body: { documentId: erpMe().id } });
    expect(result).toMatchObject({ status: 400, code: 'QUERY_TOO_DEEP', subgraphCalls: 0 });
  });
});

describe('modes', () => {
  it('no client header: TRUSTED_DOCUMENTS_DEFAULT_MODE (arbitrary), first-party ids resolve', async () => {
    expect(await counted({ body: { query: '{ me { id } }' } })).toMatchObject({
      status: 200,
      subgraphCalls: 1,
    });
    const web = listed.web![0]!;
    expect(await counted({ body: { documentId: web.id } })).toMatchObject({ status: 200, subgraphCalls: 1 });
    // Partner manifests are for their partner only.
    expect(await counted({ body: { documentId: erpMe().id } })).toMatchObject({
      status: 400,
      code: 'PERSISTED_QUERY_NOT_FOUND',
    });
  });

  it('an unknown client name counts as none; a header never relaxes the default mode', async () => {
    const strict = await fixture.startRouter({
      FLOW_ENV: 'production',
      TRUSTED_DOCUMENTS_DIR: dir,
      TRUSTED_DOCUMENTS_DEFAULT_MODE: 'ids-required',
    });
    for (const client of [undefined, 'no-such-client', 'web']) {
      const result = await counted({ router: strict, client, body: { query: '{ me { id } }' } });
      expect([client, result.status, result.code, result.subgraphCalls]).toEqual([
        client,
        400,
        'PERSISTED_QUERY_NOT_IN_LIST',
        0,
      ]);
    }
    const web = listed.web![0]!;
    expect(await counted({ router: strict, client: 'web', body: { documentId: web.id } })).toMatchObject({
      status: 200,
      subgraphCalls: 1,
    });
    expect(await counted({ router: strict, body: { documentId: web.id } })).toMatchObject({
      status: 200,
      subgraphCalls: 1,
    });
  });

  it('ids-allowed: text not in the manifest runs, and is counted as what ids-required would refuse', async () => {
    const labels = { client: 'web', outcome: 'unlisted_text' };
    const before = await metric(production.url, 'flow_router_trusted_documents_total', labels);
    expect(await counted({ client: 'web', body: { query: '{ me { id } }' } })).toMatchObject({
      status: 200,
      subgraphCalls: 1,
    });
    expect(await metric(production.url, 'flow_router_trusted_documents_total', labels)).toBe(before + 1);
  });

  it('graphql-client-name is read too', async () => {
    const result = await counted({
      headers: { 'graphql-client-name': 'erp' },
      body: { query: '{ me { id } }' },
    });
    expect(result).toMatchObject({ status: 400, code: 'PERSISTED_QUERY_NOT_IN_LIST', subgraphCalls: 0 });
  });
});

describe('automatic persisted queries', () => {
  const apq = async (router: RunningRouter, client: string | undefined) => {
    const query = `query Apq { me { id } } # ${randomUUID()}`;
    const extensions = persisted(sha256(query));
    const miss = await counted({ router, client, body: { extensions } });
    const register = await counted({ router, client, body: { extensions, query } });
    const hit = await counted({ router, client, body: { extensions } });
    const get = await counted({ router, client, get: { extensions: JSON.stringify(extensions) } });
    return { miss, register, hit, get, extensions };
  };

  it('a first-party client (and a caller naming none) registers and then runs by hash, in process', async () => {
    for (const client of ['web', undefined]) {
      const { miss, register, hit, get } = await apq(production, client);
      expect(miss).toMatchObject({ status: 400, code: 'PERSISTED_QUERY_NOT_FOUND', subgraphCalls: 0 });
      expect(register).toMatchObject({ status: 200, subgraphCalls: 1 });
      expect(hit).toMatchObject({ status: 200, data: { me: { id: 'user-1' } }, subgraphCalls: 1 });
      expect(get).toMatchObject({ status: 200, subgraphCalls: 1 });
    }
  });

  it('a partner cannot register, even where its mode allows text (development)', async () => {
    for (const [router, client] of [
      [production, 'erp'],
      [development, 'erp'],
      [development, 'integrator'],
    ] as const) {
      const { register, hit } = await apq(router, client);
      expect([client, register.status, register.code, register.subgraphCalls]).toEqual([
        client,
        400,
        'PERSISTED_QUERY_NOT_IN_LIST',
        0,
      ]);
      expect(hit).toMatchObject({ status: 400, code: 'PERSISTED_QUERY_NOT_FOUND', subgraphCalls: 0 });
    }
  });

  it('a partner cannot run a hash a first-party client registered', async () => {
    const { extensions } = await apq(production, 'web');
    const result = await counted({ client: 'erp', body: { extensions } });
    expect(result).toMatchObject({ status: 400, code: 'PERSISTED_QUERY_NOT_FOUND', subgraphCalls: 0 });
  });

  it('in Redis with REDIS_URL: registered on one router, found on another, with a TTL', async () => {
    const prefix = `flow-test-apq-${randomUUID()}:`;
    const shared = {
      FLOW_ENV: 'production',
      TRUSTED_DOCUMENTS_DIR: dir,
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      APQ_TTL_SECONDS: '120',
    };
    const first = await fixture.startRouter(shared);
    const second = await fixture.startRouter(shared);
    const query = `query Shared { me { id } } # ${randomUUID()}`;
    const extensions = persisted(sha256(query));
    expect(await counted({ router: first, client: 'web', body: { extensions, query } })).toMatchObject({
      status: 200,
    });
    const admin = new Redis(REDIS_URL, { maxRetriesPerRequest: 0 });
    try {
      const key = `${prefix}apq:${sha256(query)}`;
      // Apollo writes the entry after answering: wait for it.
      for (let i = 0; i < 200 && !(await admin.exists(key)); i++) await new Promise((r) => setTimeout(r, 25));
      expect(await admin.get(key)).toBe(query);
      const ttl = await admin.ttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(120);
      expect(await counted({ router: second, client: 'web', body: { extensions } })).toMatchObject({
        status: 200,
        data: { me: { id: 'user-1' } },
        subgraphCalls: 1,
      });
      const keys = await admin.keys(`${prefix}*`);
      if (keys.length) await admin.del(...keys);
    } finally {
      admin.disconnect();
    }
  });

  it('a document above APQ_MAX_ENTRY_BYTES runs but is not remembered', async () => {
    const small = await fixture.startRouter({
      FLOW_ENV: 'production',
      TRUSTED_DOCUMENTS_DIR: dir,
      APQ_MAX_ENTRY_BYTES: '100',
    });
    const query = `query Big { me { id } } # ${'x'.repeat(200)} ${randomUUID()}`;
    const extensions = persisted(sha256(query));
    expect(await counted({ router: small, client: 'web', body: { extensions, query } })).toMatchObject({
      status: 200,
      subgraphCalls: 1,
    });
    expect(await counted({ router: small, client: 'web', body: { extensions } })).toMatchObject({
      status: 400,
      code: 'PERSISTED_QUERY_NOT_FOUND',
    });
  });
});

describe('clientOfRequest', () => {
  it('a token naming a client application decides it, whatever the header says', () => {
    const policy = {
      documents: loadTrustedDocuments(dir),
      defaultMode: 'arbitrary' as const,
      production: true,
    };
    const viewer: ClientViewer = { clientApplication: { id: 'app-erp', name: 'erp' } };
    const byToken = clientOfRequest({ header: () => 'web', viewer }, policy);
    expect(byToken).toMatchObject({ name: 'erp', source: 'token', mode: 'ids-required', mayRegister: false });
    const unknown = clientOfRequest(
      { header: () => 'web', viewer: { clientApplication: { id: 'app-gone', name: 'gone' } } },
      policy,
    );
    expect(unknown).toMatchObject({
      name: 'gone',
      source: 'token',
      mode: 'ids-required',
      mayRegister: false,
    });
    expect(unknown.operations.size).toBe(0);
    const byHeader = clientOfRequest(
      { header: (name) => (name === 'apollographql-client-name' ? 'web' : undefined), viewer: null },
      policy,
    );
    expect(byHeader).toMatchObject({ name: 'web', source: 'header', mode: 'ids-allowed', mayRegister: true });
  });
});

describe('the live transports apply the same rules', () => {
  const openSocket = async (router: RunningRouter, init: Record<string, unknown>) => {
    const socket = new WebSocket(router.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const messages: { id?: string; type: string; payload?: unknown }[] = [];
    socket.on('message', (data) => messages.push(JSON.parse(data.toString()) as (typeof messages)[number]));
    await new Promise((resolve) => socket.on('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init', payload: init }));
    await until('connection_ack', () => messages.some((m) => m.type === 'connection_ack'));
    const answer = async (id: string, payload: Record<string, unknown>) => {
      socket.send(JSON.stringify({ id, type: 'subscribe', payload }));
      await until(`an answer to ${id}`, () =>
        messages.some((m) => m.id === id && (m.type === 'error' || m.type === 'complete')),
      );
      return messages.filter((m) => m.id === id);
    };
    return { answer, close: () => socket.close() };
  };

  it('graphql-ws: an id from connection_init’s client runs; its free text and unknown ids do not', async () => {
    const ws = await openSocket(production, {
      authorization: `Bearer ${token}`,
      'apollographql-client-name': 'erp',
    });
    try {
      let before = fixture.subgraph.hits();
      expect(await ws.answer('1', { query: '', documentId: erpMe().id })).toContainEqual(
        expect.objectContaining({
          type: 'next',
          payload: expect.objectContaining({ data: { me: { id: 'user-1' } } }),
        }),
      );
      expect(fixture.subgraph.hits() - before).toBe(1);
      before = fixture.subgraph.hits();
      const text = await ws.answer('2', { query: '{ me { id } }' });
      expect(text[0]).toMatchObject({
        type: 'error',
        payload: [{ extensions: { code: 'PERSISTED_QUERY_NOT_IN_LIST' } }],
      });
      const unknown = await ws.answer('3', { query: '', extensions: persisted(sha256(randomUUID())) });
      expect(unknown[0]).toMatchObject({
        type: 'error',
        payload: [{ extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }],
      });
      expect(fixture.subgraph.hits() - before).toBe(0);
    } finally {
      ws.close();
    }
  });

  it('SSE: a listed id streams its result; free text is refused before the stream', async () => {
    const sse = (body: Record<string, unknown>) =>
      fetch(production.url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'apollographql-client-name': 'erp',
          'content-type': 'application/json',
          accept: 'text/event-stream',
        },
        body: JSON.stringify(body),
      });
    const listedResponse = await sse({ documentId: erpMe().id });
    expect(listedResponse.status).toBe(200);
    expect(await listedResponse.text()).toContain('"me":{"id":"user-1"}');
    const before = fixture.subgraph.hits();
    const refusedResponse = await sse({ query: '{ me { id } }' });
    expect(refusedResponse.status).toBe(400);
    expect(await refusedResponse.json()).toMatchObject({
      errors: [{ extensions: { code: 'PERSISTED_QUERY_NOT_IN_LIST' } }],
    });
    expect(fixture.subgraph.hits()).toBe(before);
  });
});
