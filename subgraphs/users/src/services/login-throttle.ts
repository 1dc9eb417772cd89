/**
 * Per-account lockout: after `maxFailures` consecutive failures the account is locked for
 * `baseSeconds`, doubling with each further failure up to `maxSeconds`. A success resets it.
 * It never touches other accounts, so a guesser cannot lock out a whole hospital.
 */
export interface LockoutPolicy {
  maxFailures: number;
  baseSeconds: number;
  maxSeconds: number;
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
