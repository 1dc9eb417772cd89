import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { scopesForRole, type OrganizationKind, type Role } from '@flow/platform';
import type { SigningKeyStore } from './signing-keys';

export interface AccessTokenSubject {
  userId: string;
  organizationId: string;
  organizationKind: OrganizationKind;
  role: Role;
}

export interface AccessTokenIssuerOptions {
  keys: SigningKeyStore;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

export class AccessTokenIssuer {
  constructor(private readonly options: AccessTokenIssuerOptions) {}

  async issue(
    subject: AccessTokenSubject,
    now: Date = new Date(),
  ): Promise<{ token: string; expiresAt: Date }> {
    const { kid, alg, key } = await this.options.keys.signingKey();
    const issuedAt = Math.floor(now.getTime() / 1000);
    const expiresAt = new Date((issuedAt + this.options.ttlSeconds) * 1000);
    const token = await new SignJWT({
      org: subject.organizationId,
      orgKind: subject.organizationKind,
      role: subject.role,
      scope: scopesForRole(subject.role).join(' '),
    })
      .setProtectedHeader({ alg, kid, typ: 'at+jwt' })
      .setSubject(subject.userId)
      .setIssuer(this.options.issuer)
      .setAudience(this.options.audience)
      .setIssuedAt(issuedAt)
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .setJti(randomUUID())
      .sign(key);
    return { token, expiresAt };
  }
}
