// Sign-in throttling per client address, over real HTTP in front of a real users subgraph: once
// with in-process counters and once with Redis (REDIS_URL, default 127.0.0.1:6379; the suite fails
// when Redis is unreachable). Redis keys live under a prefix unique to this run, deleted at the end.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { join } from 'node:path';
import { parse, type OperationDefinitionNode } from 'graphql';
import { Redis } from 'ioredis';
import { addressKey, countThrottledFields } from '../src/rate-limit';
import type { RunningRouter } from '../src/router';
import {
  codeOf,
  graphql,
  newSigningKey,
  repositoryRoot,
  startKeyServer,
  startTestRouter,
  startTestSubgraph,
  type KeyServer,
  type TestSubgraph,
} from './support';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `flow-test:router:${randomUUID()}:`;
const LIMIT = 5;

let keyServer: KeyServer;
let subgraph: TestSubgraph;
let admin: Redis;

beforeAll(async () => {
  admin = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0 });
  await admin.connect(); // rejects (the suite fails) when Redis is unreachable
  keyServer = await startKeyServer([(await newSigningKey('rate-limit-key')).publicJwk]);
  subgraph = await startTestSubgraph({ production: true, jwksUrl: keyServer.url });
});

afterAll(async () => {
  await subgraph?.stop();
  await keyServer?.stop();
  if (admin?.status === 'ready') {
    const keys = await admin.keys(`${PREFIX}*`);
    if (keys.length > 0) await admin.del(...keys);
    await admin.quit();
  }
});

let addresses = 0;
/** A documentation address (TEST-NET-3) not used before in this file. */
const freshAddress = () => {
  addresses += 1;
  return `203.0.${113 + Math.floor(addresses / 250)}.${(addresses % 250) + 1}`;
};

const LOGIN = 'mutation { login(email: "nurse@example.test", password: "correct horse") { accessToken } }';
const loginsAliased = (count: number) =>
  `mutation { ${Array.from(
    { length: count },
    (_, i) => `a${i}: login(email: "n${i}@example.test", password: "pw") { accessToken }`,
  ).join(' ')} }`;

const from = (url: string, address: string, query: string) =>
  graphql(url, query, { headers: { 'x-forwarded-for': address } });

function routerEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    FLOW_ENV: 'production',
    USERS_URL: subgraph.url,
    USERS_JWKS_URL: keyServer.url,
    TRUST_PROXY: 'loopback',
    LOGIN_RATE_LIMIT_PER_MINUTE: String(LIMIT),
    ...extra,
  };
}

describe.each([
  ['in-process counters', (): Record<string, string> => ({})],
  ['Redis counters', (): Record<string, string> => ({ REDIS_URL, REDIS_KEY_PREFIX: PREFIX })],
])('sign-in throttle per client address, %s', (_name, storeEnv) => {
  let router: RunningRouter;

  beforeAll(async () => {
    router = await startTestRouter(routerEnv(storeEnv()));
  });

  afterAll(async () => {
    await router?.stop();
  });

  it('refuses the attempt over the limit with 429 RATE_LIMITED and Retry-After, without calling users', async () => {
    const address = freshAddress();
    for (let i = 0; i < LIMIT; i += 1) {
      const allowed = await from(router.url, address, LOGIN);
      expect(allowed.status).toBe(200);
      expect(allowed.body.data).toEqual({ login: { accessToken: 'test-access-token' } });
    }
    const hits = subgraph.hits();
    const refused = await from(router.url, address, LOGIN);
    expect(subgraph.hits()).toBe(hits);
    expect(refused.status).toBe(429);
    expect(codeOf(refused)).toBe('RATE_LIMITED');
    expect(refused.body.data).toBeUndefined();
    const retryAfterSeconds = refused.body.errors?.[0]?.extensions?.retryAfterSeconds;
    expect(refused.body.errors).toEqual([
      {
        message: `Too many sign-in attempts from this address. Try again in ${String(retryAfterSeconds)} s.`,
        extensions: { code: 'RATE_LIMITED', retryAfterSeconds },
      },
    ]);
    expect(retryAfterSeconds).toEqual(expect.any(Number));
    expect(retryAfterSeconds).toBeGreaterThanOrEqual(55);
    expect(retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(refused.headers.get('retry-after')).toBe(String(retryAfterSeconds));

    // Still refused: refusals do not reset or extend anything, and still never reach users.
    const again = await from(router.url, address, LOGIN);
    expect(again.status).toBe(429);
    expect(subgraph.hits()).toBe(hits);
  });

  it('does not affect another address', async () => {
    const throttled = freshAddress();
    for (let i = 0; i < LIMIT; i += 1) await from(router.url, throttled, LOGIN);
    expect((await from(router.url, throttled, LOGIN)).status).toBe(429);
    const other = await from(router.url, freshAddress(), LOGIN);
    expect(other.status).toBe(200);
    expect(other.body.data).toEqual({ login: { accessToken: 'test-access-token' } });
  });

  it('counts every aliased sign-in of an operation, all or nothing', async () => {
    const address = freshAddress();
    const three = await from(router.url, address, loginsAliased(3));
    expect(three.status).toBe(200);
    expect(Object.keys(three.body.data ?? {})).toHaveLength(3);
    // 3 used, 2 left: another 3 is refused whole and consumes nothing...
    const hits = subgraph.hits();
    const tooMany = await from(router.url, address, loginsAliased(3));
    expect(tooMany.status).toBe(429);
    expect(codeOf(tooMany)).toBe('RATE_LIMITED');
    expect(subgraph.hits()).toBe(hits);
    // ...so 2 (here through a fragment) still fit, and then nothing does.
    const fragment = await from(
      router.url,
      address,
      'mutation { ...Two } fragment Two on Mutation { x: login(email: "x@example.test", password: "pw") { accessToken } y: login(email: "y@example.test", password: "pw") { accessToken } }',
    );
    expect(fragment.status).toBe(200);
    expect((await from(router.url, address, LOGIN)).status).toBe(429);

    // More sign-ins in one operation than the limit: refused outright from a fresh address.
    const batch = await from(router.url, freshAddress(), loginsAliased(LIMIT + 1));
    expect(batch.status).toBe(429);
    expect(batch.body.errors?.[0]?.extensions?.retryAfterSeconds).toBe(60);
  });

  it('counts login, registerOrganization and refreshSession against one budget', async () => {
    const address = freshAddress();
    const register =
      'mutation { registerOrganization(input: { kind: HOSPITAL, organizationName: "H", adminName: "A", email: "a@h.test", password: "long-enough-password" }) { accessToken } }';
    const refresh = 'mutation { refreshSession(refreshToken: "opaque") { refreshToken } }';
    expect((await from(router.url, address, register)).status).toBe(200);
    expect((await from(router.url, address, refresh)).status).toBe(200);
    expect((await from(router.url, address, loginsAliased(3))).status).toBe(200);
    expect((await from(router.url, address, refresh)).status).toBe(429);
    expect((await from(router.url, address, register)).status).toBe(429);
  });

  it('does not throttle other operations, even from a throttled address', async () => {
    const address = freshAddress();
    for (let i = 0; i < LIMIT; i += 1) await from(router.url, address, LOGIN);
    expect((await from(router.url, address, LOGIN)).status).toBe(429);

    const query = await from(router.url, address, '{ me { id } }');
    expect(query.status).toBe(200);
    expect(query.body).toEqual({
      data: { me: null },
      extensions: { cost: { estimated: 1, maximum: 2_500 } },
    });
    const logout = await from(router.url, address, 'mutation { logout(refreshToken: "opaque") }');
    expect(logout.body).toMatchObject({ data: { logout: true } });
    // An operation that also signs in is throttled as a whole.
    const mixed = await from(
      router.url,
      address,
      'mutation { logout(refreshToken: "opaque") login(email: "a@b.test", password: "pw") { accessToken } }',
    );
    expect(mixed.status).toBe(429);
  });

  it('treats an IPv6 /64 as one address', async () => {
    const prefix = `2001:db8:${(addresses += 1).toString(16)}:1`;
    for (let i = 0; i < LIMIT; i += 1) {
      expect((await from(router.url, `${prefix}::${(i + 1).toString(16)}`, LOGIN)).status).toBe(200);
    }
    expect((await from(router.url, `${prefix}:0:0:0:ffff`, LOGIN)).status).toBe(429);
    const otherNetwork = `2001:db8:${addresses.toString(16)}:2::1`;
    expect((await from(router.url, otherNetwork, LOGIN)).status).toBe(200);
  });

  it('counts refusals in the metrics and stays ready', async () => {
    const base = router.url.replace('/graphql', '');
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(
      /flow_router_operations_refused_total\{reason="rate_limited",process="router"\} \d+/,
    );
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(200);
  });
});

describe('sign-in throttle with Redis', () => {
  it('keeps the counters in Redis under REDIS_KEY_PREFIX, shared by every router', async () => {
    const env = routerEnv({ REDIS_URL, REDIS_KEY_PREFIX: PREFIX });
    const first = await startTestRouter(env);
    const second = await startTestRouter(env);
    try {
      const address = freshAddress();
      for (let i = 0; i < LIMIT; i += 1) {
        const router = i % 2 ? first : second;
        expect((await from(router.url, address, LOGIN)).status).toBe(200);
      }
      expect((await from(first.url, address, LOGIN)).status).toBe(429);
      expect((await from(second.url, address, LOGIN)).status).toBe(429);
      expect(await admin.zcard(`${PREFIX}rate-limit:sign-in:${address}`)).toBe(LIMIT);
      const metrics = await (await fetch(first.url.replace('/graphql', '/metrics'))).text();
      expect(metrics).toMatch(/flow_router_rate_limit_redis_up\{process="router"\} 1/);
    } finally {
      await first.stop();
      await second.stop();
    }
  });

  it('closes its Redis connection on shutdown', async () => {
    const connectionName = `flow-router:${process.pid}`;
    const named = async () =>
      String(await admin.client('LIST'))
        .split('\n')
        .filter((line) => line.includes(` name=${connectionName} `)).length;
    const router = await startTestRouter(routerEnv({ REDIS_URL, REDIS_KEY_PREFIX: PREFIX }));
    expect(await named()).toBe(1);
    await router.stop();
    expect(await named()).toBe(0);
  });

  it('the router process connects at start and exits 0 on SIGTERM, Redis connection closed', async () => {
    const child = spawn(
      join(repositoryRoot, 'node_modules', '.bin', 'tsx'),
      [join(repositoryRoot, 'router', 'src', 'server.ts')],
      {
        env: {
          PATH: process.env.PATH,
          PORT: '0',
          LOG_LEVEL: 'debug',
          USERS_URL: 'http://127.0.0.1:9/graphql',
          REDIS_URL,
          REDIS_KEY_PREFIX: PREFIX,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let pid: number | undefined;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.includes('"router ready"')) resolve();
        });
        void exited.then((code) => reject(new Error(`exited early with ${code}: ${stdout}`)));
      });
      const lines = stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { msg: string; pid: number });
      // tsx runs the router in a child process of its own: its pid is the one in the logs.
      pid = lines.find((line) => line.msg === 'router ready')?.pid;
      const connected = async () => String(await admin.client('LIST')).includes(` name=flow-router:${pid} `);
      expect(await connected()).toBe(true);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(await connected()).toBe(false);
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        if (pid) process.kill(pid, 'SIGKILL'); // the router itself, then its tsx parent
        child.kill('SIGKILL');
      }
    }
    const messages = stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).toEqual(
      expect.arrayContaining(['rate limiter: Redis counters', 'router ready', 'stopped']),
    );
    expect(stdout).not.toContain('Redis not reachable');
  });

  it('keeps serving sign-ins, still throttled, and stays ready while Redis is unreachable', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as net.AddressInfo;
    await new Promise((resolve) => closed.close(resolve));

    const started = Date.now();
    const router = await startTestRouter(routerEnv({ REDIS_URL: `redis://127.0.0.1:${port}` }));
    try {
      expect(Date.now() - started).toBeLessThan(10_000);
      const address = freshAddress();
      for (let i = 0; i < LIMIT; i += 1) {
        const { status, body } = await from(router.url, address, LOGIN);
        expect(status).toBe(200);
        expect(body.data).toEqual({ login: { accessToken: 'test-access-token' } });
      }
      const refused = await from(router.url, address, LOGIN);
      expect(refused.status).toBe(429);
      expect(codeOf(refused)).toBe('RATE_LIMITED');

      const base = router.url.replace('/graphql', '');
      const ready = await fetch(`${base}/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({
        status: 'degraded',
        checks: { redis: { ok: false, critical: false } },
      });
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(/flow_router_rate_limit_redis_up\{process="router"\} 0/);
      expect(metrics).toMatch(
        /flow_router_rate_limit_fallback_total\{reason="not_connected",process="router"\} [1-9]/,
      );
    } finally {
      await router.stop();
    }
  });
});

describe('sign-in throttle: the client address', () => {
  it('ignores X-Forwarded-For without TRUST_PROXY: rotating it buys no fresh budget', async () => {
    const router = await startTestRouter(routerEnv({ TRUST_PROXY: '' }));
    try {
      for (let i = 0; i < LIMIT; i += 1) {
        expect((await from(router.url, freshAddress(), LOGIN)).status).toBe(200);
      }
      expect((await from(router.url, freshAddress(), LOGIN)).status).toBe(429);
    } finally {
      await router.stop();
    }
  });

  it('is off with LOGIN_RATE_LIMIT_PER_MINUTE=0', async () => {
    const router = await startTestRouter(routerEnv({ LOGIN_RATE_LIMIT_PER_MINUTE: '0' }));
    try {
      const address = freshAddress();
      const batch = await from(router.url, address, loginsAliased(LIMIT * 2));
      expect(batch.status).toBe(200);
    } finally {
      await router.stop();
    }
  });

  it.each([
    ['203.0.113.9', '203.0.113.9'],
    ['::ffff:203.0.113.9', '203.0.113.9'],
    ['2001:db8:a:b:c:d:e:f', '2001:db8:a:b::/64'],
    ['2001:DB8:0:0b::1', '2001:db8:0:b::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['64:ff9b::203.0.113.9', '64:ff9b:0:0::/64'],
    [null, 'unknown'],
    ['not-an-ip', 'other:not-an-ip'],
  ])('keys %s as %s', (address, key) => {
    expect(addressKey(address)).toBe(key);
  });
});

describe('countThrottledFields', () => {
  const count = (source: string) => {
    const document = parse(source);
    return countThrottledFields(document, document.definitions[0] as OperationDefinitionNode);
  };

  it('counts sign-in root fields of mutations only, as executed', () => {
    expect(count('{ me { id } }')).toBe(0);
    expect(count('mutation { logout(refreshToken: "x") }')).toBe(0);
    expect(count('mutation { login(email: "a", password: "b") { accessToken } }')).toBe(1);
    expect(
      count(
        'mutation { a: login(email: "a", password: "b") { accessToken } b: refreshSession(refreshToken: "x") { accessToken } }',
      ),
    ).toBe(2);
    // The same response name twice is one execution (graphql-js merges the selections).
    expect(
      count(
        'mutation { login(email: "a", password: "b") { accessToken } ... on Mutation { login(email: "a", password: "b") { refreshToken } } }',
      ),
    ).toBe(1);
    expect(
      count(
        'mutation { ...F ...F } fragment F on Mutation { x: login(email: "a", password: "b") { accessToken } y: registerOrganization(input: {}) { accessToken } }',
      ),
    ).toBe(2);
  });
});
