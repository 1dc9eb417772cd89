// Partial data and honest errors (issue 10): a subgraph that times out or cannot be reached gives
// GATEWAY_TIMEOUT / SERVICE_UNAVAILABLE at the paths it should have filled, naming it (also in
// production), and the fields the other subgraphs served survive. Here: a production router on a
// supergraph of the users SDL plus a one-field "notifications" subgraph that is a fake server
// (slow, or not listening). The end-to-end version with every real subgraph is test/partial-data.test.ts.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { Kind, parse } from 'graphql';
import { subgraphCatalog } from '@flow/core';
import type { RunningRouter } from '../src/router';
import { pathsOfOperation } from '../src/subgraph-failures';
import {
  graphql,
  repositoryRoot,
  signToken,
  startRouterFixture,
  startTestRouter,
  type RouterFixture,
  type SigningKey,
} from './support';

const NOTIFICATIONS_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
  type Query { unreadNotificationCount: Int }
`;

function supergraphPath(): string {
  const users = parse(readFileSync(join(repositoryRoot, 'schema', 'users.graphql'), 'utf8'));
  const result = composeServices([
    { name: 'users', url: 'http://127.0.0.1:1/graphql', typeDefs: users },
    { name: 'notifications', url: 'http://127.0.0.1:1/graphql', typeDefs: parse(NOTIFICATIONS_SDL) },
  ]);
  if (result.errors) throw new Error(result.errors.map((e) => e.message).join('\n'));
  const path = join(mkdtempSync(join(tmpdir(), 'flow-failures-')), 'supergraph.graphql');
  writeFileSync(path, result.supergraphSdl);
  return path;
}

/** A subgraph that takes every request and never answers (until stopped). */
async function startSilentServer(): Promise<{
  url: string;
  requests: () => number;
  stop: () => Promise<void>;
}> {
  let requests = 0;
  const server = http.createServer((req) => {
    // The router also opens GET /events on an event source: only GraphQL calls count.
    if (req.method === 'POST') requests += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    requests: () => requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A URL nothing listens on: a port that was free a moment ago. */
async function refusedUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/graphql`;
}

const QUERY = '{ me { id } unreadNotificationCount }';

let fixture: RouterFixture;
let key: SigningKey;
let path: string;

beforeAll(async () => {
  fixture = await startRouterFixture('failures-key', { production: true });
  key = fixture.key;
  path = supergraphPath();
});

afterAll(() => fixture?.stop());

async function withRouter(notificationsUrl: string, run: (router: RunningRouter) => Promise<void>) {
  const router = await startTestRouter({
    FLOW_ENV: 'production',
    SUPERGRAPH_PATH: path,
    ...fixture.usersEnv,
    NOTIFICATIONS_URL: notificationsUrl,
    SUBGRAPH_TIMEOUT_MS: '300',
  });
  try {
    await run(router);
  } finally {
    await router.stop();
  }
}

it('a subgraph that does not answer in time: GATEWAY_TIMEOUT at its field, the rest kept', async () => {
  const slow = await startSilentServer();
  try {
    await withRouter(slow.url, async (router) => {
      const token = await signToken(key, { sub: 'user-7' });
      const result = await graphql(router.url, QUERY, { token });
      expect(slow.requests()).toBe(1);
      expect(result.status).toBe(200);
      expect(result.body).toEqual({
        data: { me: { id: 'user-7' }, unreadNotificationCount: null },
        errors: [
          {
            message: 'The notifications service did not answer in time. Try again shortly.',
            path: ['unreadNotificationCount'],
            extensions: { code: 'GATEWAY_TIMEOUT', service: 'notifications' },
          },
        ],
        extensions: { cost: expect.any(Object) as unknown },
      });
    });
  } finally {
    await slow.stop();
  }
});

it('a subgraph that cannot be reached: SERVICE_UNAVAILABLE at its field, no URL or host', async () => {
  await withRouter(await refusedUrl(), async (router) => {
    const token = await signToken(key, { sub: 'user-8' });
    const result = await graphql(router.url, QUERY, { token });
    expect(result.status).toBe(200);
    expect(result.body).toEqual({
      data: { me: { id: 'user-8' }, unreadNotificationCount: null },
      errors: [
        {
          message: 'The notifications service is unavailable right now. Try again shortly.',
          path: ['unreadNotificationCount'],
          extensions: { code: 'SERVICE_UNAVAILABLE', service: 'notifications' },
        },
      ],
      extensions: { cost: expect.any(Object) as unknown },
    });
    expect(result.text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|fetch failed|http:/);
  });
});

describe('pathsOfOperation (where a failed call should have put its data)', () => {
  it('root fields by response key, fragments followed, __typename left out', () => {
    expect(
      pathsOfOperation(
        'query Q { __typename a: me { id } ...F ... on Query { organizations { totalCount } } } fragment F on Query { organization(id: "1") { id } }',
        {},
      ),
    ).toEqual([['a'], ['organization'], ['organizations']]);
  });

  it('one path per entity and field of its type, for `_entities` fetches', () => {
    const query =
      'query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Order { payment { status } } ... on Payment { invoice { id } refunds { id } } } }';
    expect(
      pathsOfOperation(query, {
        representations: [
          { __typename: 'Order', id: '1' },
          { __typename: 'Payment', id: '2' },
        ],
      }),
    ).toEqual([
      ['_entities', 0, 'payment'],
      ['_entities', 1, 'invoice'],
      ['_entities', 1, 'refunds'],
    ]);
  });
});

it('keeps every Query root field nullable, so one subgraph down cannot null its siblings (README: nullability rule)', () => {
  const nonNull: string[] = [];
  for (const { name } of subgraphCatalog) {
    const document = parse(readFileSync(join(repositoryRoot, 'schema', `${name}.graphql`), 'utf8'));
    for (const definition of document.definitions) {
      if (
        (definition.kind === Kind.OBJECT_TYPE_DEFINITION || definition.kind === Kind.OBJECT_TYPE_EXTENSION) &&
        definition.name.value === 'Query'
      ) {
        for (const field of definition.fields ?? []) {
          // @inaccessible fields are not in the router's API: only services call them, one at a time.
          const internal = field.directives?.some((directive) => directive.name.value === 'inaccessible');
          if (field.type.kind === Kind.NON_NULL_TYPE && !internal)
            nonNull.push(`${name}: Query.${field.name.value}`);
        }
      }
    }
  }
  expect(nonNull).toEqual([]);
});
