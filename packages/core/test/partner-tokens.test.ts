import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { createTokenVerifier, InvalidTokenError, type TokenVerifier } from '../src/auth/tokens';

// The shared verifier turns a partner's token into a Viewer naming its client application, and
// refuses tokens whose client claims do not fit their role.
let sign: (claims: JWTPayload, subject: string) => Promise<string>;
let verify: TokenVerifier;

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'EdDSA' };
  verify = createTokenVerifier({ issuer: 'iss', audience: 'aud', keys: createLocalJWKSet({ keys: [jwk] }) });
  sign = (claims, subject) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
      .setSubject(subject)
      .setIssuer('iss')
      .setAudience('aud')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey);
});

const secretId = randomUUID();
const partnerClaims = (appId: string, extra: JWTPayload = {}) => ({
  org: randomUUID(),
  orgKind: 'HOSPITAL',
  role: 'PARTNER',
  scope: 'role:PARTNER orders:read',
  client_id: appId,
  client_name: 'hospital-erp',
  sid: secretId,
  ...extra,
});

const reasonOf = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: unknown) => (error instanceof InvalidTokenError ? error.reason : String(error)),
  );

test('a partner token gives a viewer with its client application and partner scopes only', async () => {
  const appId = randomUUID();
  const viewer = await verify(
    await sign(partnerClaims(appId, { scope: 'role:PARTNER orders:read org:admin platform:admin' }), appId),
  );
  expect(viewer).toMatchObject({
    userId: appId,
    role: 'PARTNER',
    clientApplication: { id: appId, name: 'hospital-erp', secretId },
  });
  expect(viewer.scopes.sort()).toEqual(['orders:read', 'role:PARTNER']);
});

test('refuses client claims that do not fit the role', async () => {
  const appId = randomUUID();
  const { client_id: _id, ...withoutClient } = partnerClaims(appId);
  expect(await reasonOf(verify(await sign(withoutClient, appId)))).toBe('ERR_CLIENT_CLAIMS_MISSING');
  expect(await reasonOf(verify(await sign(partnerClaims(randomUUID()), appId)))).toBe(
    'ERR_CLIENT_CLAIMS_MISSING',
  );
  // Without the secret's id a token could outlive its secret's rotation: refused.
  const { sid: _sid, ...withoutSecret } = partnerClaims(appId);
  expect(await reasonOf(verify(await sign(withoutSecret, appId)))).toBe('ERR_CLIENT_CLAIMS_MISSING');
  const person = { ...partnerClaims(appId), role: 'HOSPITAL_ADMIN' };
  expect(await reasonOf(verify(await sign(person, appId)))).toBe('ERR_CLIENT_CLAIMS_UNEXPECTED');
});

test("a person's token has no client application", async () => {
  const userId = randomUUID();
  const viewer = await verify(
    await sign({ org: randomUUID(), orgKind: 'HOSPITAL', role: 'HOSPITAL_STAFF' }, userId),
  );
  expect(viewer.clientApplication).toBeUndefined();
});
