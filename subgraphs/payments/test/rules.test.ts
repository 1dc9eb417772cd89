import {
  invoiceNumber,
  requireAmount,
  paymentStatus,
  requireRefundable,
  statusAfterRefund,
} from '../src/services/rules';
import { requestHash } from '@flow/core';

describe('state machine', () => {
  test.each([
    ['AUTHORIZED', true],
    ['INVOICED', true],
    ['CAPTURED', false],
    ['VOIDED', false],
    ['FAILED', false],
  ] as const)('capture from %s allowed: %s', (status, allowed) => {
    const check = () => paymentStatus.assert(status, 'CAPTURED');
    if (allowed) expect(check).not.toThrow();
    else
      expect(check).toThrow(
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'CONFLICT' }) }),
      );
  });
});

describe('refund math', () => {
  test('status follows the refunded total', () => {
    expect(statusAfterRefund(100, 0)).toBe('CAPTURED');
    expect(statusAfterRefund(100, 30)).toBe('PARTIALLY_REFUNDED');
    expect(statusAfterRefund(100, 100)).toBe('REFUNDED');
  });
  test('never past what was captured', () => {
    expect(() => requireRefundable(100, 90, 10)).not.toThrow();
    expect(() => requireRefundable(100, 90, 11)).toThrow(
      expect.objectContaining({ extensions: { code: 'CONFLICT', remainingMinor: 10 } }),
    );
  });
  test('amounts are positive whole minor units in the platform currency', () => {
    expect(() => requireAmount({ amountMinor: 0, currency: 'USD' }, 'amount', 'USD')).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ field: 'amount.amountMinor' }) }),
    );
    expect(() => requireAmount({ amountMinor: 1.5, currency: 'USD' }, 'amount', 'USD')).toThrow();
    expect(() => requireAmount({ amountMinor: 1, currency: 'EUR' }, 'amount', 'USD')).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ field: 'amount.currency' }) }),
    );
  });
  test('invoice numbers are readable', () => expect(invoiceNumber(2026, 123)).toBe('INV-2026-000123'));
  test('request hashes ignore field order and undefined fields', () => {
    expect(requestHash({ a: 1, b: { c: 2, d: undefined } })).toBe(requestHash({ b: { c: 2 }, a: 1 }));
    expect(requestHash({ a: 1 })).not.toBe(requestHash({ a: 2 }));
  });
});
