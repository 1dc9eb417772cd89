import { isLocked, lockedUntil, lockoutSeconds } from '../src/services/login-throttle';

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
