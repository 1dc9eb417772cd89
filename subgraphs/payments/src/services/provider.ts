import { randomUUID } from 'node:crypto';

/** What the provider answered to an authorisation. */
export type AuthorizationOutcome =
  | { kind: 'authorized'; reference: string }
  | { kind: 'declined'; reason: string }
  /** The token is not one the provider knows: the caller's input is wrong, nothing is held. */
  | { kind: 'invalid_token' };

/**
 * A card payment provider. Every call takes an idempotency key: the same key returns the first
 * answer, so a call retried after a lost reply never charges twice.
 */
export interface PaymentProvider {
  authorize(
    amountMinor: number,
    currency: string,
    token: string,
    idempotencyKey: string,
  ): Promise<AuthorizationOutcome>;
  capture(reference: string, amountMinor: number, idempotencyKey: string): Promise<void>;
  void(reference: string, idempotencyKey: string): Promise<void>;
  refund(reference: string, amountMinor: number, idempotencyKey: string): Promise<{ reference: string }>;
  /** The authorisation made under `idempotencyKey`, if any: how recovery finds an unanswered one. */
  findAuthorization(idempotencyKey: string): Promise<{ reference: string } | null>;
}

export const TEST_TOKENS = {
  visa: 'tok_visa',
  declined: 'tok_chargeDeclined',
  timeout: 'tok_timeout',
} as const;

interface SimulatedCharge {
  reference: string;
  amountMinor: number;
  currency: string;
  state: 'held' | 'captured' | 'voided';
  refundedMinor: number;
}

/**
 * The built-in provider for development and tests, state in memory. tok_visa succeeds,
 * tok_chargeDeclined is declined, tok_timeout HOLDS the money and never answers (the worst case
 * a real provider can produce: the caller cannot tell whether it was charged).
 */
export class SimulatedProvider implements PaymentProvider {
  readonly charges = new Map<string, SimulatedCharge>();
  private readonly byKey = new Map<string, unknown>();
  /** Every authorize call that reached the provider (tests count them). */
  authorizeCalls = 0;

  private once<T>(scope: string, key: string, run: () => T): T {
    const id = `${scope}:${key}`;
    if (!this.byKey.has(id)) this.byKey.set(id, run());
    return this.byKey.get(id) as T;
  }

  async authorize(amountMinor: number, currency: string, token: string, idempotencyKey: string) {
    this.authorizeCalls += 1;
    const outcome = this.once('authorize', idempotencyKey, (): AuthorizationOutcome => {
      if (token === TEST_TOKENS.declined) return { kind: 'declined', reason: 'card_declined' };
      if (token !== TEST_TOKENS.visa && token !== TEST_TOKENS.timeout) return { kind: 'invalid_token' };
      const reference = `ch_sim_${randomUUID().replaceAll('-', '')}`;
      this.charges.set(reference, { reference, amountMinor, currency, state: 'held', refundedMinor: 0 });
      return { kind: 'authorized', reference };
    });
    if (token === TEST_TOKENS.timeout) return new Promise<never>(() => {});
    return outcome;
  }

  async findAuthorization(idempotencyKey: string) {
    const outcome = this.byKey.get(`authorize:${idempotencyKey}`) as AuthorizationOutcome | undefined;
    return outcome?.kind === 'authorized' ? { reference: outcome.reference } : null;
  }

  private charge(reference: string): SimulatedCharge {
    const charge = this.charges.get(reference);
    if (!charge) throw new Error(`simulated provider: no charge ${reference}`);
    return charge;
  }

  async capture(reference: string, amountMinor: number, idempotencyKey: string) {
    this.once('capture', idempotencyKey, () => {
      const charge = this.charge(reference);
      if (charge.state !== 'held' || amountMinor > charge.amountMinor)
        throw new Error(`simulated provider: cannot capture ${reference}`);
      charge.state = 'captured';
    });
  }

  async void(reference: string, idempotencyKey: string) {
    this.once('void', idempotencyKey, () => {
      const charge = this.charge(reference);
      if (charge.state === 'captured') throw new Error(`simulated provider: ${reference} is captured`);
      charge.state = 'voided';
    });
  }

  async refund(reference: string, amountMinor: number, idempotencyKey: string) {
    return this.once('refund', idempotencyKey, () => {
      const charge = this.charge(reference);
      if (charge.state !== 'captured' || charge.refundedMinor + amountMinor > charge.amountMinor)
        throw new Error(`simulated provider: cannot refund ${amountMinor} of ${reference}`);
      charge.refundedMinor += amountMinor;
      return { reference: `re_sim_${randomUUID().replaceAll('-', '')}` };
    });
  }

  /** Money held (authorised, neither captured nor voided): what a lost authorisation leaves. */
  heldMinor(): number {
    return [...this.charges.values()]
      .filter((c) => c.state === 'held')
      .reduce((s, c) => s + c.amountMinor, 0);
  }
}

export class ProviderTimeout extends Error {}

/** Races `work` against a deadline; the provider's late answer, if any, is ignored. */
export function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProviderTimeout(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
