import { randomUUID } from 'node:crypto';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { GraphQLError, parse } from 'graphql';
import {
  parseSuspensionList,
  remoteSuspendedOrganizations,
  servedSuspensionList,
  SuspendedOrganizations,
  SUSPENDED_ORGANIZATIONS_PATH,
  suspensionListVersion,
} from '@flow/core';
import type { Viewer } from '@flow/core';
import { createLogger } from '@flow/core';
import { startSubgraphServer, type BaseContext, type RunningSubgraph } from '../src/subgraph-server';
import { SubgraphClient } from '../src/subgraph-client';
import { createGraphQLClient } from '@flow/testing';

// The suspended-organizations list every process keeps (auth/suspensions.ts), against a real
// users-like server (signed GET) and a real subgraph server refusing the tokens.
const logger = createLogger('test', 'silent');
const secret = 'suspensions-test-secret-of-some-length';

const viewerOf = (organizationId: string): Viewer => ({
  userId: randomUUID(),
  organizationId,
  organizationKind: 'HOSPITAL',
  role: 'HOSPITAL_ADMIN',
  scopes: [],
  tokenId: undefined,
});

const codeOf = (call: () => void) => {
  try {
    call();
    return null;
  } catch (error) {
    return (error as GraphQLError).extensions;
  }
};

async function until(condition: () => boolean, what: string) {
  const deadline = Date.now() + 30_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('SuspendedOrganizations', () => {
  it('follows the source: suspensions and reinstatements, telling listeners of new ones only', async () => {
    let source = ['a'];
    const list = new SuspendedOrganizations({
      load: async () => source,
      logger,
      refreshMs: 50,
      failClosed: true,
    });
    const seen: string[] = [];
    list.onSuspended((id) => seen.push(id));
    list.start();
    try {
      expect(await list.ready(10_000)).toBe(true);
      expect(codeOf(() => list.check(viewerOf('a')))).toEqual({
        code: 'FORBIDDEN',
        reason: 'ORGANIZATION_SUSPENDED',
      });
      expect(codeOf(() => list.check(viewerOf('b')))).toBeNull();
      expect(codeOf(() => list.check(null))).toBeNull();
      source = ['b'];
      await until(() => list.has('b') && !list.has('a'), 'b suspended, a reinstated');
      expect(codeOf(() => list.check(viewerOf('a')))).toBeNull();
      expect(seen).toEqual(['a', 'b']);
    } finally {
      list.stop();
    }
  });

  it("refuses a revoked client application's tokens, not its organization's people", async () => {
    let revoked: string[] = [];
    const list = new SuspendedOrganizations({
      load: async () => ({ organizationIds: [], revokedClientApplicationIds: revoked }),
      logger,
      refreshMs: 50,
      failClosed: true,
    });
    const seen: string[] = [];
    list.onSuspended((id) => seen.push(id));
    list.start();
    try {
      expect(await list.ready(10_000)).toBe(true);
      const partner: Viewer = {
        ...viewerOf('org'),
        role: 'PARTNER',
        clientApplication: { id: 'app', name: 'erp' },
      };
      expect(codeOf(() => list.check(partner))).toBeNull();
      revoked = ['app'];
      await until(() => list.revokedClientApplications().includes('app'), 'app revoked');
      expect(codeOf(() => list.check(partner))).toEqual({
        code: 'FORBIDDEN',
        reason: 'CLIENT_APPLICATION_REVOKED',
      });
      expect(codeOf(() => list.check(viewerOf('org')))).toBeNull();
      expect(seen).toEqual(['app']);
    } finally {
      list.stop();
    }
  });

  it('refuses tokens of an ended client secret only, and tells listeners of it', async () => {
    let ended: string[] = [];
    const list = new SuspendedOrganizations({
      load: async () => ({
        organizationIds: [],
        revokedClientApplicationIds: [],
        endedClientSecretIds: ended,
      }),
      logger,
      refreshMs: 50,
      failClosed: true,
    });
    const seen: string[] = [];
    list.onSuspended((id) => seen.push(id));
    list.start();
    try {
      expect(await list.ready(10_000)).toBe(true);
      const partnerWith = (secretId: string): Viewer => ({
        ...viewerOf('org'),
        role: 'PARTNER',
        clientApplication: { id: 'app', name: 'erp', secretId },
      });
      expect(codeOf(() => list.check(partnerWith('old')))).toBeNull();
      ended = ['old'];
      await until(() => list.endedClientSecrets().includes('old'), 'old secret ended');
      expect(codeOf(() => list.check(partnerWith('old')))).toEqual({
        code: 'FORBIDDEN',
        reason: 'CLIENT_SECRET_ENDED',
      });
      // The application and its current secret go on.
      expect(codeOf(() => list.check(partnerWith('new')))).toBeNull();
      expect(seen).toEqual(['old']);
    } finally {
      list.stop();
    }
  });

  it('parses the served list: the secrets are optional, anything malformed is refused', () => {
    expect(parseSuspensionList({ organizationIds: ['o'], revokedClientApplicationIds: ['a'] })).toEqual({
      organizationIds: ['o'],
      revokedClientApplicationIds: ['a'],
      endedClientSecretIds: [],
    });
    expect(
      parseSuspensionList({
        organizationIds: [],
        revokedClientApplicationIds: [],
        endedClientSecretIds: ['s'],
      }),
    ).toEqual({ organizationIds: [], revokedClientApplicationIds: [], endedClientSecretIds: ['s'] });
    for (const malformed of [
      null,
      [],
      {},
      { organizationIds: [], endedClientSecretIds: 's' },
      { organizationIds: [], endedClientSecretIds: [1] },
      { organizationIds: [], revokedClientApplicationIds: {} },
    ])
      expect(() => parseSuspensionList(malformed)).toThrow('malformed suspension list');
  });

  it('a refresh asked for during a load reads again after it: a change made meanwhile is not missed', async () => {
    let source: string[] = [];
    let release!: () => void;
    let loads = 0;
    const list = new SuspendedOrganizations({
      load: async () => {
        loads += 1;
        const snapshot = [...source];
        if (loads === 1) await new Promise<void>((resolve) => (release = resolve));
        return snapshot;
      },
      logger,
      failClosed: true,
    });
    const first = list.refresh();
    await until(() => loads === 1, 'the first load');
    source = ['a']; // committed while the first load had already read
    const second = list.refresh();
    release();
    await Promise.all([first, second]);
    expect(list.has('a')).toBe(true);
    expect(loads).toBe(2);
  });

  it('keeps the last list while the source fails, and says so on health', async () => {
    let fail = false;
    const list = new SuspendedOrganizations({
      load: async () => {
        if (fail) throw new Error('users is down');
        return ['a'];
      },
      logger,
      refreshMs: 20,
      failClosed: true,
    });
    await list.refresh();
    fail = true;
    await list.refresh();
    await list.refresh();
    expect(list.has('a')).toBe(true);
    await expect(list.health()).resolves.toBeUndefined();
  });

  it('before its first load: refuses every token when failing closed (503), lets them by when not', async () => {
    const down = async (): Promise<string[]> => {
      throw new Error('users is down');
    };
    const closed = new SuspendedOrganizations({ load: down, logger, failClosed: true }).start();
    const open = new SuspendedOrganizations({ load: down, logger, failClosed: false }).start();
    try {
      const started = Date.now();
      // A source that refuses at once is not waited out.
      expect(await closed.ready(20_000)).toBe(false);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(codeOf(() => closed.check(viewerOf('x')))).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      expect(codeOf(() => closed.check(null))).toBeNull();
      expect(await open.ready(20_000)).toBe(false);
      expect(codeOf(() => open.check(viewerOf('x')))).toBeNull();
      await expect(closed.health()).rejects.toThrow('not loaded');
    } finally {
      closed.stop();
      open.stop();
    }
  });
});

describe('served by users, enforced by a subgraph server', () => {
  let users: RunningSubgraph;
  let subgraph: RunningSubgraph;
  let suspendedIds: string[] = [];
  let list: SuspendedOrganizations;
  const resolved: string[] = [];
  const suspendedOrg = randomUUID();
  const activeOrg = randomUUID();

  beforeAll(async () => {
    const schema = () =>
      buildSubgraphSchema({
        typeDefs: parse('type Query { me: String }'),
        resolvers: {
          Query: {
            me: (_: unknown, __: unknown, ctx: BaseContext) => {
              if (ctx.viewer) resolved.push(ctx.viewer.organizationId);
              return ctx.viewer?.organizationId ?? null;
            },
          },
        } as GraphQLResolverMap<unknown>,
      });
    users = await startSubgraphServer<BaseContext>({
      name: 'users',
      schema: schema(),
      logger,
      port: 0,
      production: true,
      routerSecret: secret,
      verifyToken: async () => viewerOf('unused'),
      serveSuspendedOrganizations: async () => suspendedIds,
      buildContext: (base) => base,
      readiness: {},
    });
    list = new SuspendedOrganizations({
      load: remoteSuspendedOrganizations({ usersUrl: users.url, secret, timeoutMs: 5000 }),
      logger,
      refreshMs: 100,
      failClosed: true,
    });
    subgraph = await startSubgraphServer<BaseContext>({
      name: 'orders',
      schema: schema(),
      logger,
      port: 0,
      production: false,
      routerSecret: secret,
      // The token is the organization id here: the test is about what happens after verification.
      verifyToken: async (token) => viewerOf(token),
      suspensions: list,
      buildContext: (base) => base,
      readiness: {},
    });
  });
  afterAll(async () => {
    await subgraph?.stop();
    await users?.stop();
  });

  it('serves the list to signed callers only', async () => {
    const unsigned = await fetch(new URL(SUSPENDED_ORGANIZATIONS_PATH, users.url));
    expect(unsigned.status).toBe(401);
    suspendedIds = [suspendedOrg];
    const load = remoteSuspendedOrganizations({ usersUrl: users.url, secret, timeoutMs: 5000 });
    await expect(load()).resolves.toEqual({
      organizationIds: [suspendedOrg],
      revokedClientApplicationIds: [],
      endedClientSecretIds: [],
    });
    const forged = remoteSuspendedOrganizations({
      usersUrl: users.url,
      secret: 'x'.repeat(40),
      timeoutMs: 5000,
    });
    await expect(forged()).rejects.toThrow('401');
  });

  it('refuses a suspended organization’s token with 403 FORBIDDEN before any resolver, and lets it back when reinstated', async () => {
    suspendedIds = [suspendedOrg];
    await until(() => list.has(suspendedOrg), 'the list to load');
    const gql = createGraphQLClient(subgraph.url);
    const refused = await gql({ query: '{ me }', token: suspendedOrg });
    expect(refused.status).toBe(403);
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: 'FORBIDDEN',
      reason: 'ORGANIZATION_SUSPENDED',
    });
    expect(resolved).not.toContain(suspendedOrg);
    expect((await gql({ query: '{ me }', token: activeOrg })).data).toEqual({ me: activeOrg });
    expect((await gql({ query: '{ me }' })).data).toEqual({ me: null });

    // A subgraph acting as itself (a saga step) was checked where the request entered.
    const asOrders = new SubgraphClient({
      name: 'orders',
      url: subgraph.url,
      secret,
      logger,
      service: 'orders',
    });
    const ctx = { requestId: randomUUID(), authorization: `Bearer ${suspendedOrg}`, clientAddress: null };
    await expect(asOrders.idempotent(ctx, parse('{ me }'))).resolves.toEqual({ me: suspendedOrg });

    suspendedIds = [];
    await until(() => !list.has(suspendedOrg), 'the reinstatement');
    expect((await gql({ query: '{ me }', token: suspendedOrg })).data).toEqual({ me: suspendedOrg });
  });

  it('reports the list on /health/ready', async () => {
    const body = (await (await fetch(new URL('/health/ready', subgraph.url))).json()) as Record<
      string,
      unknown
    >;
    expect(JSON.stringify(body)).toContain('suspensions');
  });
});

describe('held polls: a change reaches every process at once, a quiet list costs a poll per long wait', () => {
  let users: RunningSubgraph;
  let source: string[] = [];
  let authorityLoads = 0;
  // users' own copy, reloaded from its "table" (here `source`) every 50 ms, as users reloads from
  // the database every SUSPENSION_REFRESH_MS.
  const authority = new SuspendedOrganizations({
    load: async () => {
      authorityLoads += 1;
      return { organizationIds: source, revokedClientApplicationIds: [] };
    },
    logger,
    refreshMs: 50,
    failClosed: true,
  });
  let polls = 0;
  const serve = servedSuspensionList(authority);
  let remote: ReturnType<typeof remoteSuspendedOrganizations>;

  beforeAll(async () => {
    authority.start();
    expect(await authority.ready(10_000)).toBe(true);
    users = await startSubgraphServer<BaseContext>({
      name: 'users',
      schema: buildSubgraphSchema({
        typeDefs: parse('type Query { me: String }'),
        resolvers: { Query: { me: () => null } } as GraphQLResolverMap<unknown>,
      }),
      logger,
      port: 0,
      production: true,
      routerSecret: secret,
      verifyToken: async () => viewerOf('unused'),
      suspensions: authority,
      serveSuspendedOrganizations: (known, signal) => {
        polls += 1;
        return serve(known, signal);
      },
      buildContext: (base) => base,
      readiness: {},
    });
    remote = remoteSuspendedOrganizations({ usersUrl: users.url, secret, timeoutMs: 5000 });
  });
  afterAll(async () => {
    await users?.stop();
    authority.stop();
  });

  const settled = (promise: Promise<unknown>) => {
    const state = { done: false };
    void promise.then(
      () => (state.done = true),
      () => (state.done = true),
    );
    return state;
  };

  it('answers a poll with an older version at once, and holds one with the current version until the list changes', async () => {
    source = [];
    await until(() => authority.list().length === 0, 'an empty list');
    const current = authority.currentVersion!;
    expect(current).toBe(suspensionListVersion({ organizationIds: [], revokedClientApplicationIds: [] }));

    await expect(remote({ version: 'older', waitMs: 20_000 })).resolves.toMatchObject({
      organizationIds: [],
      version: current,
    });

    const held = remote({ version: current, waitMs: 20_000 });
    const state = settled(held);
    await until(() => authority.heldPolls === 1, 'the poll to be held');
    const loadsThen = authorityLoads;
    await until(() => authorityLoads >= loadsThen + 3, 'three more reloads of an unchanged list');
    expect(state.done).toBe(false);

    const suspended = randomUUID();
    source = [suspended];
    const answer = await held;
    expect(answer).toMatchObject({ organizationIds: [suspended] });
    expect((answer as { version: string }).version).not.toBe(current);
    expect(authority.heldPolls).toBe(0);
  });

  it('answers a held poll with the same list when its wait is over', async () => {
    const current = authority.currentVersion!;
    const list = authority.list();
    await expect(remote({ version: current, waitMs: 200 })).resolves.toMatchObject({
      organizationIds: list,
      version: current,
    });
  });

  it('frees the place of a held poll whose caller goes away', async () => {
    await until(() => authority.heldPolls === 0, 'no poll held');
    const caller = new AbortController();
    const held = remote({ version: authority.currentVersion!, waitMs: 25_000 }, caller.signal);
    await until(() => authority.heldPolls === 1, 'the poll to be held');
    const abortedAt = Date.now();
    caller.abort();
    await expect(held).rejects.toThrow();
    await until(() => authority.heldPolls === 0, 'the poll to be freed');
    // Freed by the caller going away, not by its wait running out.
    expect(Date.now() - abortedAt).toBeLessThan(20_000);
  });

  it('a long-polling process sees a suspension at once, and polls once per wait while nothing changes', async () => {
    source = [];
    await until(() => authority.list().length === 0, 'an empty list');
    // refreshMs far beyond the test's waits: only a held poll answered on the change can bring it.
    const follower = new SuspendedOrganizations({
      load: remote,
      logger,
      refreshMs: 600_000,
      failClosed: true,
      longPollMs: 20_000,
    });
    follower.start();
    try {
      expect(await follower.ready(10_000)).toBe(true);
      await until(() => authority.heldPolls === 1, 'the follower’s poll to be held');
      const pollsThen = polls;
      const loadsThen = authorityLoads;
      await until(() => authorityLoads >= loadsThen + 5, 'five reloads of an unchanged list');
      expect(polls).toBe(pollsThen);

      const suspended = randomUUID();
      source = [suspended];
      await until(() => follower.has(suspended), 'the suspension to reach the follower');
      // The follower polls again at once with the new version, and is held again.
      await until(() => authority.heldPolls === 1, 'the next poll to be held');
      expect(polls).toBe(pollsThen + 1);
    } finally {
      follower.stop();
    }
  });

  it.each([
    ['without a version (an older users)', undefined],
    ['with a version, unchanged (a users that does not hold it)', 'v1'],
  ])('paces a users that answers at once %s at refreshMs, not in a busy loop', async (_what, version) => {
    let loads = 0;
    const follower = new SuspendedOrganizations({
      load: async () => {
        loads += 1;
        return { organizationIds: [], revokedClientApplicationIds: [], ...(version ? { version } : {}) };
      },
      logger,
      refreshMs: 100,
      failClosed: true,
      longPollMs: 20_000,
    });
    const started = Date.now();
    follower.start();
    try {
      await until(() => loads >= 4, 'four loads');
      // The first answer is news, so the next poll follows at once; then a pause of refreshMs at
      // least before each unchanged one (a lower bound, safe on a busy machine).
      expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    } finally {
      follower.stop();
    }
  });

  it('answers every held poll at once when users stops, and a stopped follower ends its poll', async () => {
    const separate = new SuspendedOrganizations({
      load: async () => ({ organizationIds: [], revokedClientApplicationIds: [] }),
      logger,
      refreshMs: 50,
      failClosed: true,
    });
    separate.start();
    expect(await separate.ready(10_000)).toBe(true);
    const held = servedSuspensionList(separate)({ version: separate.currentVersion!, waitMs: 20_000 });
    const state = settled(held);
    await until(() => separate.heldPolls === 1, 'the poll to be held');
    expect(state.done).toBe(false);
    separate.stop();
    await expect(held).resolves.toMatchObject({ organizationIds: [] });

    let [polling, aborted] = [false, false];
    const follower = new SuspendedOrganizations({
      // The first load answers (from a users that holds polls: a version); the next one is held.
      load: (known, signal) => {
        if (!known)
          return Promise.resolve({ organizationIds: [], revokedClientApplicationIds: [], version: 'v1' });
        polling = true;
        return new Promise((_resolve, reject) =>
          signal?.addEventListener('abort', () => {
            aborted = true;
            reject(new Error('aborted'));
          }),
        );
      },
      logger,
      refreshMs: 100,
      failClosed: true,
      longPollMs: 20_000,
    });
    follower.start();
    expect(await follower.ready(10_000)).toBe(true);
    await until(() => polling, 'the second poll to be held');
    follower.stop();
    expect(aborted).toBe(true);
  });
});
