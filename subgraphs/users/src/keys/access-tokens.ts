import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { scopesForRole, type OrganizationKind, type Role } from '@flow/core';
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

/** A partner's machine client (client credentials grant): the token acts for its organization. */
export interface ClientTokenSubject {
  applicationId: string;
  name: string;
  /** The client secret that authenticated this grant: its end ends the token (claim `sid`). */
  secretId: string;
  organizationId: string;
  organizationKind: OrganizationKind;
  scopes: readonly string[];
}

export class AccessTokenIssuer {
  constructor(private readonly options: AccessTokenIssuerOptions) {}

  /**
   * `sub` and `client_id` (RFC 9068) are the application id, role PARTNER, `scope` its granted
   * partner scopes after `role:PARTNER`, `client_name` the manifest it may run operations of,
   * `sid` the secret it was obtained with (refused everywhere once that secret ends).
   */
  async issueForClient(
    subject: ClientTokenSubject,
    ttlSeconds: number,
    now: Date = new Date(),
  ): Promise<{ token: string; expiresAt: Date }> {
    return this.sign(
      subject.applicationId,
      {
        org: subject.organizationId,
        orgKind: subject.organizationKind,
        role: 'PARTNER',
        scope: [...scopesForRole('PARTNER'), ...subject.scopes].join(' '),
        client_id: subject.applicationId,
        client_name: subject.name,
        sid: subject.secretId,
      },
      ttlSeconds,
      now,
    );
  }

  async issue(
    subject: AccessTokenSubject,
    now: Date = new Date(),
  ): Promise<{ token: string; expiresAt: Date }> {
    return this.sign(
      subject.userId,
      {
        org: subject.organizationId,
        orgKind: subject.organizationKind,
        role: subject.role,
        scope: scopesForRole(subject.role).join(' '),
      },
      this.options.ttlSeconds,
      now,
    );
  }

  private async sign(
    subjectId: string,
    claims: Record<string, string>,
    ttlSeconds: number,
    now: Date,
  ): Promise<{ token: string; expiresAt: Date }> {
    const { kid, alg, key } = await this.options.keys.signingKey();
    const issuedAt = Math.floor(now.getTime() / 1000);
    const expiresAt = new Date((issuedAt + ttlSeconds) * 1000);
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg, kid, typ: 'at+jwt' })
      .setSubject(subjectId)
      .setIssuer(this.options.issuer)
      .setAudience(this.options.audience)
      .setIssuedAt(issuedAt)
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .setJti(randomUUID())
      .sign(key);
    return { token, expiresAt };
  }
}
