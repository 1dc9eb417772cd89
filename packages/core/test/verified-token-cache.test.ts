import { randomUUID } from 'node:crypto';
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import {
  CLOCK_TOLERANCE_SECONDS,
  createTokenVerifier,
  InvalidTokenError,
  VERIFIED_TOKEN_CACHE_SECONDS,
  type TokenVerifier,
} from '../src/auth/tokens';

// A subgraph remembers the tokens it verified, so that the same token on the next call of the
// same request (or the next request) is not verified again: the cache must never accept what
// verification would refuse.
let privateKey: CryptoKey;
let keys: JWTVerifyGetKey;
let keyLookups = 0;

beforeAll(async () => {
  const pair = await generateKeyPair('EdDSA');
  privateKey = pair.privateKey;
  const local = createLocalJWKSet({
    keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'EdDSA' }],
  });
  keys = (header, token) => {
    keyLookups++;
    return local(header, token);
  };
});

beforeEach(() => {
  keyLookups = 0;
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  jest.setSystemTime(new Date('2026-06-01T10:00:00Z'));
});
afterEach(() => jest.useRealTimers());

const verifier = (size: number): TokenVerifier =>
  createTokenVerifier({ issuer: 'iss', audience: 'aud', keys, verifiedTokenCacheSize: size });

const token = (claims: JWTPayload = {}, lifetime = '10m') =>
  new SignJWT({ org: randomUUID(), orgKind: 'HOSPITAL', role: 'HOSPITAL_ADMIN', ...claims })
    .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
    .setSubject(randomUUID())
    .setIssuer('iss')
    .setAudience('aud')
    .setIssuedAt()
    .setExpirationTime(lifetime)
    .sign(privateKey);

const reasonOf = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: unknown) => (error instanceof InvalidTokenError ? error.reason : String(error)),
  );

const later = (ms: number) => jest.setSystemTime(Date.now() + ms);

test('the same token is verified once, and gives the same viewer every time', async () => {
  const verify = verifier(10);
  const jwt = await token();
  const first = await verify(jwt);
  const second = await verify(jwt);
  expect(second).toEqual(first);
  expect(keyLookups).toBe(1);
});

test('without a cache size every call verifies', async () => {
  const verify = verifier(0);
  const jwt = await token();
  await verify(jwt);
  await verify(jwt);
  expect(keyLookups).toBe(2);
});

test('a cached token leaves the cache at its expiry, and is refused as before', async () => {
  const verify = verifier(10);
  // Shorter than VERIFIED_TOKEN_CACHE_SECONDS: its own expiry ends its entry.
  const jwt = await token({}, '30s');
  await verify(jwt);
  later(30_000 - 1);
  await verify(jwt);
  expect(keyLookups).toBe(1);
  later(2);
  await verify(jwt); // verified again: jose still accepts it within its clock tolerance
  expect(keyLookups).toBe(2);
  later(CLOCK_TOLERANCE_SECONDS * 1000);
  expect(await reasonOf(verify(jwt))).toBe('ERR_JWT_EXPIRED');
});

test('a cached token is verified again after VERIFIED_TOKEN_CACHE_SECONDS', async () => {
  const verify = verifier(10);
  const jwt = await token();
  await verify(jwt);
  later(VERIFIED_TOKEN_CACHE_SECONDS * 1000 - 1);
  await verify(jwt);
  expect(keyLookups).toBe(1);
  later(2);
  await verify(jwt);
  expect(keyLookups).toBe(2);
});

test('a cached token with another signature, or other claims under its signature, is refused', async () => {
  const verify = verifier(10);
  const jwt = await token();
  await verify(jwt);
  const [header, payload, signature] = jwt.split('.') as [string, string, string];
  const otherSignature = `${header}.${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BA' : 'AA'}`;
  expect(await reasonOf(verify(otherSignature))).toBe('ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as JWTPayload;
  const promoted = Buffer.from(JSON.stringify({ ...claims, role: 'PLATFORM_ADMIN' })).toString('base64url');
  expect(await reasonOf(verify(`${header}.${promoted}.${signature}`))).toBe(
    'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  );
});

test('a refused token is not remembered: it is verified (and refused) every time', async () => {
  const verify = verifier(10);
  const forged = `${(await token()).slice(0, -4)}AAAA`;
  expect(await reasonOf(verify(forged))).not.toBeNull();
  expect(await reasonOf(verify(forged))).not.toBeNull();
  expect(keyLookups).toBe(2);
});

test('the cache holds at most its size: the least recently used token is verified again', async () => {
  const verify = verifier(2);
  const [a, b, c] = await Promise.all([token(), token(), token()]);
  await verify(a!);
  await verify(b!);
  await verify(a!); // a is now the most recently used
  await verify(c!); // evicts b
  expect(keyLookups).toBe(3);
  await verify(a!);
  expect(keyLookups).toBe(3);
  await verify(b!);
  expect(keyLookups).toBe(4);
});

test('a caller changing its viewer does not change the cached one', async () => {
  const verify = verifier(10);
  const jwt = await token();
  const viewer = await verify(jwt);
  const scopes = [...viewer.scopes];
  viewer.scopes.push('admin:everything');
  viewer.role = 'PLATFORM_ADMIN';
  const again = await verify(jwt);
  expect(again.scopes).toEqual(scopes);
  expect(again.role).toBe('HOSPITAL_ADMIN');
  (await verify(jwt)).scopes.push('admin:more');
  expect((await verify(jwt)).scopes).toEqual(scopes);
});
