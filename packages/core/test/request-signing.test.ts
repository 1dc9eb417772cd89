import { createHash, createHmac } from 'node:crypto';
import { signRequest, verifyRequestSignature, type SignedParts } from '../src/auth/request-signing';

const secret = 'a-test-secret-of-enough-length';
const now = new Date('2026-05-01T10:00:00Z');
const parts: SignedParts = {
  timestamp: String(now.getTime() / 1000),
  requestId: 'req-12345678',
  authorization: 'Bearer abc',
  query: 'query Me { me { id } }',
  operationName: 'Me',
  variables: { a: 1, b: [true, 'x'] },
};

describe('router request signing', () => {
  const signature = signRequest(secret, parts);

  it('accepts the router’s own signature', () => {
    expect(signature).toMatch(/^v2=[0-9a-f]{64}$/);
    expect(verifyRequestSignature(secret, signature, parts, now)).toEqual({ valid: true });
  });

  it('is the documented HMAC, the first time and from the operation memo, and covers every part', () => {
    const operation = createHash('sha256')
      .update(`${parts.query}\n${parts.operationName}\n${JSON.stringify(parts.variables)}`)
      .digest('hex');
    const canonical = [
      'v2',
      parts.timestamp,
      parts.requestId,
      parts.authorization,
      '',
      '',
      '',
      operation,
    ].join('\n');
    const expected = `v2=${createHmac('sha256', secret).update(canonical).digest('hex')}`;
    expect(signature).toBe(expected);
    expect(signRequest(secret, parts)).toBe(expected);
    expect(signRequest(secret, { ...parts, variables: { a: 2, b: [true, 'x'] } })).not.toBe(expected);
    expect(signRequest(secret, { ...parts, operationName: 'Other' })).not.toBe(expected);
    expect(signRequest(secret, { ...parts, query: 'query Me { me { name } }' })).not.toBe(expected);
    const long = { ...parts, query: `query Me { me { id } } # ${'x'.repeat(20_000)}` };
    expect(signRequest(secret, long)).toBe(signRequest(secret, long));
    expect(verifyRequestSignature(secret, signRequest(secret, long), long, now)).toEqual({ valid: true });
  });

  it('accepts variables that went through JSON and back', () => {
    const roundTripped = JSON.parse(JSON.stringify(parts.variables)) as Record<string, unknown>;
    expect(verifyRequestSignature(secret, signature, { ...parts, variables: roundTripped }, now).valid).toBe(
      true,
    );
  });

  it.each([
    ['query', { query: 'mutation { logout(refreshToken: "x") }' }],
    ['variables', { variables: { a: 2, b: [true, 'x'] } }],
    ['operation name', { operationName: 'Other' }],
    ['token', { authorization: 'Bearer stolen' }],
    ['request id', { requestId: 'req-other-id' }],
    // A captured router request replayed as the orders service (x-flow-service: orders).
    ['calling service', { service: 'orders' }],
    // A client may not extend how long a subgraph works for it.
    ['deadline', { deadline: String(now.getTime() + 3_600_000) }],
  ])('refuses a request whose %s was changed', (_name, change) => {
    expect(verifyRequestSignature(secret, signature, { ...parts, ...change }, now)).toEqual({
      valid: false,
      reason: 'bad signature',
    });
  });

  it('refuses a missing signature, another secret and a stale timestamp', () => {
    expect(verifyRequestSignature(secret, undefined, parts, now).valid).toBe(false);
    expect(verifyRequestSignature('another-secret-entirely', signature, parts, now).valid).toBe(false);
    const later = new Date(now.getTime() + 61_000);
    expect(verifyRequestSignature(secret, signature, parts, later)).toEqual({
      valid: false,
      reason: 'stale timestamp',
    });
  });
});

describe('signature versions', () => {
  it('refuses a signature of the stale v1 format (it did not cover the deadline)', () => {
    const v1 = signRequest(secret, parts).replace(/^v2=/, 'v1=');
    expect(verifyRequestSignature(secret, v1, parts, now)).toEqual({
      valid: false,
      reason: 'unsupported signature version',
    });
  });
});

describe('client address binding', () => {
  it('refuses a signed request whose forwarded client address was changed', () => {
    const withAddress = { ...parts, clientAddress: '203.0.113.7' };
    const signature = signRequest(secret, withAddress);
    expect(verifyRequestSignature(secret, signature, withAddress, now).valid).toBe(true);
    expect(
      verifyRequestSignature(secret, signature, { ...withAddress, clientAddress: '198.51.100.1' }, now).valid,
    ).toBe(false);
  });
});
