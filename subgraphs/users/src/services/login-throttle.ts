/**
 * Sign-in throttling that an attacker cannot turn against a victim (README "Security"):
 * - per (email, client address): `maxFailures` consecutive failures lock that pair for
 *   `baseSeconds`, doubling up to `maxSeconds`; the same account from another address is not locked;
 * - per email over all addresses: at most `failuresPerWindow` failures per fixed window, then
 *   RATE_LIMITED until the window ends, except from addresses this email signed in from recently,
 *   so that guessing with many addresses stays bounded while the owner's usual address still works.
 * Counters are keyed by the normalized email whether or not an account has it: unknown and known
 * emails get the same counters and the same answers.
 */
import { addressKey } from '@flow/core';
import type { UsersPrisma } from '../db';

export interface LockoutPolicy {
  maxFailures: number;
  baseSeconds: number;
  maxSeconds: number;
}

export interface AccountBudgetPolicy {
  failuresPerWindow: number;
  windowSeconds: number;
  /** A successful sign-in from an address exempts it from the budget for this long. */
  trustedAddressDays: number;
}

export interface SignInThrottlePolicy {
  address: LockoutPolicy;
  account: AccountBudgetPolicy;
}

export function lockoutSeconds(policy: LockoutPolicy, consecutiveFailures: number): number {
  if (consecutiveFailures < policy.maxFailures) return 0;
  const doublings = consecutiveFailures - policy.maxFailures;
  return Math.min(policy.maxSeconds, policy.baseSeconds * 2 ** Math.min(doublings, 30));
}

export function lockedUntil(policy: LockoutPolicy, consecutiveFailures: number, now: Date): Date | null {
  const seconds = lockoutSeconds(policy, consecutiveFailures);
  return seconds === 0 ? null : new Date(now.getTime() + seconds * 1000);
}

export const isLocked = (lockedUntilAt: Date | null, now: Date) =>
  lockedUntilAt !== null && lockedUntilAt > now;

export type AttemptClaim =
  | { allowed: true; failures: number; locksPairUntil: Date | null }
  | { allowed: false; reason: 'locked'; lockedUntil: Date }
  | { allowed: false; reason: 'rate_limited'; retryAfterSeconds: number };

/** As login_attempts stores it: emails longer than any valid one still get a bounded key. */
export const throttleEmail = (email: string) => email.slice(0, 254);

/** Pair rows idle this long with no running lock are forgotten: a stale count is no evidence. */
const FORGET_AFTER_MS = 86_400_000;
const SWEEP_EVERY_MS = 600_000;

export class LoginThrottle {
  private lastSweep = 0;

  constructor(
    private readonly prisma: UsersPrisma,
    private readonly policy: SignInThrottlePolicy,
  ) {}

  /**
   * Counts the attempt as a failure before the password is checked, under row locks (pair, then
   * account: always that order), so concurrent guesses cannot slip past either limit while a slow
   * hash runs. A refused attempt is not counted and its password is never checked.
   */
  async claim(rawEmail: string, clientAddress: string | null, now: Date): Promise<AttemptClaim> {
    await this.sweepIfDue(now);
    const email = throttleEmail(rawEmail);
    const address = addressKey(clientAddress);
    return this.prisma.$transaction(async (tx) => {
      const [pair] = await tx.$queryRaw<{ failures: number; locked_until: Date | null }[]>`
        INSERT INTO login_address_throttles (email, address_key, updated_at) VALUES (${email}, ${address}, ${now})
        ON CONFLICT (email, address_key) DO UPDATE SET email = EXCLUDED.email
        RETURNING failures, locked_until`;
      if (isLocked(pair!.locked_until, now))
        return { allowed: false, reason: 'locked', lockedUntil: pair!.locked_until! };

      const { failuresPerWindow, windowSeconds } = this.policy.account;
      const [budget] = await tx.$queryRaw<{ window_started_at: Date; failures: number }[]>`
        INSERT INTO login_account_budgets (email, window_started_at) VALUES (${email}, ${now})
        ON CONFLICT (email) DO UPDATE SET email = EXCLUDED.email
        RETURNING window_started_at, failures`;
      const windowEnds = budget!.window_started_at.getTime() + windowSeconds * 1000;
      const fresh = windowEnds <= now.getTime();
      if (!fresh && budget!.failures >= failuresPerWindow && !(await this.trusted(tx, email, address, now))) {
        return {
          allowed: false,
          reason: 'rate_limited',
          retryAfterSeconds: Math.max(1, Math.ceil((windowEnds - now.getTime()) / 1000)),
        };
      }
      await tx.loginAccountBudget.update({
        where: { email },
        data: fresh ? { windowStartedAt: now, failures: 1 } : { failures: { increment: 1 } },
      });

      const failures = pair!.failures + 1;
      const until = lockedUntil(this.policy.address, failures, now);
      await tx.loginAddressThrottle.update({
        where: { email_addressKey: { email, addressKey: address } },
        data: { failures, lockedUntil: until ?? pair!.locked_until, updatedAt: now },
      });
      return { allowed: true, failures, locksPairUntil: until };
    });
  }

  /** The password was right: the pair starts over and the claimed failure is given back. */
  async succeeded(tx: Pick<UsersPrisma, '$executeRaw'>, rawEmail: string, clientAddress: string | null) {
    const email = throttleEmail(rawEmail);
    await tx.$executeRaw`
      DELETE FROM login_address_throttles WHERE email = ${email} AND address_key = ${addressKey(clientAddress)}`;
    await tx.$executeRaw`
      UPDATE login_account_budgets SET failures = failures - 1 WHERE email = ${email} AND failures > 0`;
  }

  /** Whether this email signed in successfully from this address (same key) recently. */
  private async trusted(
    tx: Pick<UsersPrisma, '$queryRaw'>,
    email: string,
    address: string,
    now: Date,
  ): Promise<boolean> {
    if (address === 'unknown') return false;
    const since = new Date(now.getTime() - this.policy.account.trustedAddressDays * 86_400_000);
    const rows = await tx.$queryRaw<{ client_address: string }[]>`
      SELECT DISTINCT client_address FROM login_attempts
      WHERE email = ${email} AND succeeded AND created_at > ${since} AND client_address IS NOT NULL
      LIMIT 100`;
    return rows.some((row) => addressKey(row.client_address) === address);
  }

  private async sweepIfDue(now: Date) {
    if (now.getTime() - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now.getTime();
    const idle = new Date(now.getTime() - FORGET_AFTER_MS);
    const windowAgo = new Date(now.getTime() - this.policy.account.windowSeconds * 1000);
    await this.prisma.$executeRaw`
      DELETE FROM login_address_throttles
      WHERE updated_at < ${idle} AND (locked_until IS NULL OR locked_until < ${now})`;
    await this.prisma.$executeRaw`DELETE FROM login_account_budgets WHERE window_started_at < ${windowAgo}`;
  }
}
