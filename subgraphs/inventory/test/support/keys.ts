// Access tokens for the tests: an EdDSA key generated here, its JWKS served over HTTP exactly
// as users serves it, and tokens signed like users signs them (the claims the platform reads).
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { scopesForRole, type OrganizationKind, type Role } from '@flow/core';

export const ISSUER = 'urn:flow:users';
export const AUDIENCE = 'urn:flow:api';

export interface Actor {
  userId: string;
  organizationId: string;
  organizationKind: OrganizationKind;
  role: Role;
  token: string;
}

export interface TokenIssuer {
  jwksUrl: string;
  /** Its stand-in for users' URL: it serves an empty suspension list (production processes need one). */
  usersUrl: string;
  /** A signed-in user of a new (or the given) organization. */
  actor(role: Role, organizationId?: string): Promise<Actor>;
  stop(): Promise<void>;
}

const kindOf = (role: Role): OrganizationKind =>
  role.startsWith('HOSPITAL') ? 'HOSPITAL' : role === 'PLATFORM_ADMIN' ? 'PLATFORM' : 'VENDOR';

export async function startTokenIssuer(): Promise<TokenIssuer> {
  const kid = `test-${randomUUID()}`;
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' };
  const server = http.createServer((req, res) => {
    if (req.url === '/organizations/suspended')
      return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"organizationIds":[]}');
    if (req.url !== '/.well-known/jwks.json') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const sign = (
    key: CryptoKey,
    claims: { sub: string; org: string; orgKind: OrganizationKind; role: Role },
  ) =>
    new SignJWT({
      org: claims.org,
      orgKind: claims.orgKind,
      role: claims.role,
      scope: scopesForRole(claims.role).join(' '),
    })
      .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'JWT' })
      .setSubject(claims.sub)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setJti(randomUUID())
      .setExpirationTime('15m')
      .sign(key);

  return {
    jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    usersUrl: `http://127.0.0.1:${port}/graphql`,
    actor: async (role, organizationId = randomUUID()) => {
      const userId = randomUUID();
      const organizationKind = kindOf(role);
      const token = await sign(privateKey, {
        sub: userId,
        org: organizationId,
        orgKind: organizationKind,
        role,
      });
      return { userId, organizationId, organizationKind, role, token };
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
