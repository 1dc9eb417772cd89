import { ProviderTimeout, SimulatedProvider, withDeadline } from '../src/services/provider';

describe('SimulatedProvider', () => {
  test('tok_visa authorises and holds; the same key returns the same reference', async () => {
    const provider = new SimulatedProvider();
    const first = await provider.authorize(500, 'USD', 'tok_visa', 'k1');
    expect(first).toMatchObject({ kind: 'authorized', reference: expect.stringMatching(/^ch_sim_/) });
    expect(await provider.authorize(500, 'USD', 'tok_visa', 'k1')).toEqual(first);
    expect(provider.heldMinor()).toBe(500);
  });
  test('tok_chargeDeclined is declined and holds nothing; unknown tokens are invalid', async () => {
    const provider = new SimulatedProvider();
    expect(await provider.authorize(500, 'USD', 'tok_chargeDeclined', 'k')).toEqual({
      kind: 'declined',
      reason: 'card_declined',
    });
    expect(await provider.authorize(500, 'USD', 'tok_nope', 'k2')).toEqual({ kind: 'invalid_token' });
    expect(provider.heldMinor()).toBe(0);
  });
  test('tok_timeout never answers but holds; findAuthorization finds it and void releases it', async () => {
    const provider = new SimulatedProvider();
    await expect(
      withDeadline(provider.authorize(700, 'USD', 'tok_timeout', 'pay-1'), 20),
    ).rejects.toBeInstanceOf(ProviderTimeout);
    expect(provider.heldMinor()).toBe(700);
    const found = await provider.findAuthorization('pay-1');
    await provider.void(found!.reference, 'void-1');
    expect(provider.heldMinor()).toBe(0);
  });
  test('capture then refunds up to the captured amount, idempotent per key', async () => {
    const provider = new SimulatedProvider();
    const auth = await provider.authorize(100, 'USD', 'tok_visa', 'a');
    if (auth.kind !== 'authorized') throw new Error('expected authorised');
    await provider.capture(auth.reference, 100, 'c');
    const refund = await provider.refund(auth.reference, 60, 'r1');
    expect(await provider.refund(auth.reference, 60, 'r1')).toEqual(refund);
    await expect(provider.refund(auth.reference, 41, 'r2')).rejects.toThrow();
    await expect(provider.void(auth.reference, 'v')).rejects.toThrow();
  });
});
