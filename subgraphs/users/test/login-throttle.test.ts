import { createLogger } from '@flow/core';
import { type BaseContext } from '@flow/subgraph-kit';
import type { AccessTokenIssuer } from '../src/keys/access-tokens';
import { AuthService } from '../src/services/auth-service';
import { isLocked, lockedUntil, lockoutSeconds } from '../src/services/login-throttle';
import { PasswordHasher } from '../src/services/passwords';
import { createTestEnvironment, type UsersTestEnvironment } from './environment';
import { LOGIN, REGISTER, registration } from './queries';

const policy = { maxFailures: 5, baseSeconds: 30, maxSeconds: 3600 };

describe('login lockout policy', () => {
  it('does not lock before the limit', () => {
    for (let failures = 0; failures < 5; failures++) expect(lockoutSeconds(policy, failures)).toBe(0);
  });

  it('locks at the limit and doubles with every further failure, up to the cap', () => {
    expect([5, 6, 7, 8].map((f) => lockoutSeconds(policy, f))).toEqual([30, 60, 120, 240]);
    expect(lockoutSeconds(policy, 50)).toBe(3600);
    expect(lockoutSeconds(policy, 10_000)).toBe(3600);
  });

  it('computes the instant the lock ends', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(lockedUntil(policy, 4, now)).toBeNull();
    expect(lockedUntil(policy, 6, now)?.toISOString()).toBe('2026-01-01T00:01:00.000Z');
    expect(isLocked(new Date('2026-01-01T00:01:00Z'), now)).toBe(true);
    expect(isLocked(new Date('2025-12-31T23:59:59Z'), now)).toBe(false);
    expect(isLocked(null, now)).toBe(false);
  });
});

// Default policy: 5 failures per (email, address) lock that pair 30 s doubling to 3600 s; 20
// failures per email per 300 s from all addresses, then RATE_LIMITED except from trusted addresses.
let t: UsersTestEnvironment;
beforeAll(async () => {
  t = await createTestEnvironment();
});
afterAll(async () => {
  await t?.stop();
});

type Answer = { code: unknown; message: string; extensions: Record<string, unknown> } | 'signed in';

async function login(email: string, password: string, address: string): Promise<Answer> {
  const result = await t.gql({
    query: LOGIN,
    variables: { email, password },
    headers: { 'x-flow-client-address': address },
  });
  const error = result.errors?.[0];
  if (!error) return 'signed in';
  return { code: error.extensions?.code, message: error.message, extensions: error.extensions ?? {} };
}

/** The answer without its clock-dependent values: what may differ between two identical cases. */
function shape(answer: Answer) {
  if (answer === 'signed in') return answer;
  const { lockedUntil: until, retryAfterSeconds, ...rest } = answer.extensions;
  return {
    ...answer,
    extensions: {
      ...rest,
      ...(until === undefined ? {} : { lockedUntil: typeof until }),
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds: typeof retryAfterSeconds }),
    },
  };
}

async function newAccount() {
  const input = registration('HOSPITAL');
  const result = await t.gql({ query: REGISTER, variables: { input } });
  expect(result.errors).toBeUndefined();
  return input;
}

const addresses = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}.${i + 1}`);

describe('sign-in lockout cannot be turned against a victim', () => {
  it('replays issue 11 case 5: five wrong passwords from A lock A only; the platform admin signs in from B at once', async () => {
    const attacker = '203.0.113.66';
    for (let i = 0; i < 5; i++) {
      expect((await login(t.admin.email, 'wrong-password-000', attacker)) as object).toMatchObject({
        code: 'INVALID_CREDENTIALS',
      });
    }
    // From A the pair is locked: even the right password is not checked.
    expect(await login(t.admin.email, t.admin.password, attacker)).toMatchObject({
      code: 'ACCOUNT_LOCKED',
      extensions: { retryAfterSeconds: expect.any(Number) },
    });
    expect(await login(t.admin.email, t.admin.password, '198.51.100.7')).toBe('signed in');
    // IPv6 addresses of one /64 are one address: rotating inside it gives no fresh budget.
    const v6 = '2001:db8:aa:1::';
    const account = await newAccount();
    for (let i = 1; i <= 5; i++) await login(account.email, 'wrong-password-000', `${v6}${i}`);
    expect(await login(account.email, account.password, `${v6}99`)).toMatchObject({ code: 'ACCOUNT_LOCKED' });
    expect(await login(account.email, account.password, '2001:db8:bb:1::1')).toBe('signed in');
  });

  it('answers an unknown email exactly as a known one over a whole sequence of attempts', async () => {
    const known = await newAccount();
    const unknown = `nobody.${known.email}`;
    // Per-pair lock, then the account-wide budget from many addresses, then a trusted-looking
    // address: the same steps for both emails.
    const run = async (email: string, prefix: string) => {
      const answers: Answer[] = [];
      for (let i = 0; i < 7; i++) answers.push(await login(email, 'wrong-password-000', `${prefix}.1`));
      for (const address of addresses(prefix, 18))
        answers.push(await login(email, 'wrong-password-000', address));
      return answers;
    };
    const knownAnswers = await run(known.email, '192.0.2');
    const unknownAnswers = await run(unknown, '198.18.0');
    expect(unknownAnswers.map(shape)).toEqual(knownAnswers.map(shape));
    const codes = knownAnswers.map((a) => (a === 'signed in' ? a : a.code));
    expect(codes.slice(0, 7)).toEqual([
      ...Array(5).fill('INVALID_CREDENTIALS'),
      'ACCOUNT_LOCKED',
      'ACCOUNT_LOCKED',
    ]);
    expect(codes).toContain('RATE_LIMITED');
    const rows = await t.sql<{ email: string; failures: number }>(
      'SELECT email, failures FROM login_account_budgets WHERE email IN ($1, $2)',
      [known.email, unknown],
    );
    expect(rows.map((r) => r.failures)).toEqual([20, 20]);
  });

  it('holds the account-wide budget against many addresses at once; the owner’s usual address still signs in', async () => {
    const account = await newAccount();
    const usual = '100.64.0.1';
    expect(await login(account.email, account.password, usual)).toBe('signed in');
    // 40 addresses guess at once (one guess each, so no pair ever locks): 20 are checked.
    const answers = await Promise.all(
      addresses('100.65.0', 40).map((address) => login(account.email, 'wrong-password-000', address)),
    );
    const codes = answers.map((a) => (a === 'signed in' ? a : a.code));
    expect(codes.filter((c) => c === 'INVALID_CREDENTIALS')).toHaveLength(20);
    expect(codes.filter((c) => c === 'RATE_LIMITED')).toHaveLength(20);
    const refused = answers.find((a) => a !== 'signed in' && a.code === 'RATE_LIMITED');
    const retryAfter = refused === 'signed in' ? undefined : refused?.extensions.retryAfterSeconds;
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(300);
    // Even the right password from a new address is not checked while the budget is spent...
    expect(await login(account.email, account.password, '100.66.0.1')).toMatchObject({
      code: 'RATE_LIMITED',
    });
    // ...but the address the owner signed in from before is not refused.
    expect(await login(account.email, account.password, usual)).toBe('signed in');
    // When the window ends (moved into the past rather than waited for), new addresses work again.
    await t.sql(
      "UPDATE login_account_budgets SET window_started_at = now() - interval '301 seconds' WHERE email = $1",
      [account.email],
    );
    expect(await login(account.email, account.password, '100.66.0.1')).toBe('signed in');
    const reasons = await t.sql<{ failure_reason: string | null; n: number }>(
      'SELECT failure_reason, count(*)::int AS n FROM login_attempts WHERE email = $1 GROUP BY 1 ORDER BY 1',
      [account.email],
    );
    expect(reasons).toEqual([
      { failure_reason: 'rate_limited', n: 21 },
      { failure_reason: 'wrong_password', n: 20 },
      { failure_reason: null, n: 3 },
    ]);
  });

  it('hashes the password for an unknown email as for a known one', async () => {
    const known = await newAccount();
    let verifications = 0;
    class CountingHasher extends PasswordHasher {
      override async verify(password: string, stored: string) {
        verifications += 1;
        return super.verify(password, stored);
      }
    }
    const auth = new AuthService({
      prisma: t.app.prisma,
      passwords: new CountingHasher(14),
      // Never reached: these attempts all fail.
      accessTokens: {} as AccessTokenIssuer,
      signInThrottle: {
        address: policy,
        account: { failuresPerWindow: 20, windowSeconds: 300, trustedAddressDays: 30 },
      },
      refreshTokenTtlDays: 30,
      logger: createLogger('users', 'silent'),
    });
    const ctx = {
      requestId: 'hash-count',
      clientAddress: '192.0.2.200',
      logger: createLogger('users', 'silent'),
    } as unknown as BaseContext;
    const counted = async (email: string) => {
      const before = verifications;
      await expect(auth.login(ctx, email, 'wrong-password-000')).rejects.toMatchObject({
        extensions: { code: 'INVALID_CREDENTIALS' },
      });
      return verifications - before;
    };
    expect(await counted(known.email)).toBe(1);
    expect(await counted(`nobody.${known.email}`)).toBe(1);
  });
});
