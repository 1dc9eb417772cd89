import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { AccessTokenIssuer } from '../src/keys/access-tokens';
import {
  activeKeyOf,
  parseKeySet,
  pruneRetiredKeys,
  rotate,
  SigningKeyStore,
  type SigningKeySet,
} from '../src/keys/signing-keys';

const subject = {
  userId: 'u1',
  organizationId: 'o1',
  organizationKind: 'HOSPITAL' as const,
  role: 'HOSPITAL_ADMIN' as const,
};

describe('signing keys and rotation', () => {
  let now = new Date('2026-03-01T12:00:00Z');
  const clock = () => now;
  const file = join(mkdtempSync(join(tmpdir(), 'flow-keys-')), 'keys.json');

  it('creates a key set once and keeps it', async () => {
    const store = await SigningKeyStore.open({ file, createIfMissing: true, clock });
    const first = (await store.signingKey()).kid;
    const again = await SigningKeyStore.open({ file, createIfMissing: true, clock });
    expect((await again.signingKey()).kid).toBe(first);
    expect(store.jwks().keys).toHaveLength(1);
    expect(store.jwks().keys[0]).not.toHaveProperty('d');
    await expect(SigningKeyStore.open({ file: `${file}.missing`, createIfMissing: false })).rejects.toThrow(
      /does not exist/,
    );
  });

  it('publishes a rotated key before signing with it, and old tokens keep verifying', async () => {
    const store = await SigningKeyStore.open({ file, createIfMissing: true, clock });
    const issuer = new AccessTokenIssuer({ keys: store, issuer: 'iss', audience: 'aud', ttlSeconds: 900 });
    const oldKid = (await store.signingKey()).kid;
    const oldToken = (await issuer.issue(subject, now)).token;

    const rotated = await rotate(parseKeySet(readFileSync(file, 'utf8')), 600, now);
    writeFileSync(file, JSON.stringify(rotated));
    const newKid = rotated.keys[1]!.kid;

    // Published at once, but the old key still signs during the publication window.
    expect(store.jwks().keys.map((k) => k.kid)).toEqual([oldKid, newKid]);
    expect((await store.signingKey()).kid).toBe(oldKid);

    now = new Date(now.getTime() + 601_000);
    expect((await store.signingKey()).kid).toBe(newKid);
    const newToken = (await issuer.issue(subject, now)).token;

    const jwks = createLocalJWKSet(store.jwks());
    const options = { issuer: 'iss', audience: 'aud', currentDate: now };
    const verifiedOld = await jwtVerify(oldToken, jwks, options);
    const verifiedNew = await jwtVerify(newToken, jwks, options);
    expect(verifiedOld.protectedHeader.kid).toBe(oldKid);
    expect(verifiedNew.protectedHeader.kid).toBe(newKid);
    expect(verifiedNew.payload).toMatchObject({
      sub: 'u1',
      org: 'o1',
      role: 'HOSPITAL_ADMIN',
      scope: 'role:HOSPITAL_ADMIN org:admin',
    });
  });

  it('prunes a key only once every token it signed has expired', async () => {
    const set: SigningKeySet = parseKeySet(readFileSync(file, 'utf8'));
    const replacedAt = Date.parse(set.keys[1]!.activatesAt);
    expect(pruneRetiredKeys(set, 900, new Date(replacedAt + 899_000)).keys).toHaveLength(2);
    const pruned = pruneRetiredKeys(set, 900, new Date(replacedAt + 901_000));
    expect(pruned.keys.map((k) => k.kid)).toEqual([set.keys[1]!.kid]);
    expect(activeKeyOf(pruned, new Date(replacedAt + 901_000)).kid).toBe(set.keys[1]!.kid);
  });

  it('refuses malformed key sets', () => {
    expect(() => parseKeySet('{"keys":[]}')).toThrow(/no keys/);
    expect(() =>
      parseKeySet('{"keys":[{"kid":"a","alg":"RS256","activatesAt":"2026-01-01","privateJwk":{"d":"x"}}]}'),
    ).toThrow(/malformed/);
  });
});
