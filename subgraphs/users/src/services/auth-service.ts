import { randomUUID } from 'node:crypto';
import { errors, requireEmail, requireOneOf, requireText, type Logger } from '@flow/core';
import { type BaseContext, isUniqueViolation } from '@flow/subgraph-kit';
import type { Organization, User } from '../generated/prisma/client';
import type { UsersPrisma } from '../db';
import type { AccessTokenIssuer } from '../keys/access-tokens';
import { LoginThrottle, type SignInThrottlePolicy } from './login-throttle';
import { recordOrganizationEvent } from './organization-events';
import type { PasswordHasher } from './passwords';
import { hashRefreshToken, newRefreshToken } from './refresh-tokens';

export interface AuthResult {
  accessToken: string;
  refreshToken: string;
  accessTokenExpiresAt: Date;
  user: User;
}

export interface RegisterOrganizationInput {
  kind: string;
  organizationName: string;
  adminName: string;
  email: string;
  password: string;
}

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

export function requirePassword(value: string, field: string): string {
  if (value.length < PASSWORD_MIN_LENGTH) {
    throw errors.badUserInput(field, `${field} must be at least ${PASSWORD_MIN_LENGTH} characters.`);
  }
  if (value.length > PASSWORD_MAX_LENGTH) {
    throw errors.badUserInput(field, `${field} must be at most ${PASSWORD_MAX_LENGTH} characters.`);
  }
  return value;
}

export interface AuthServiceOptions {
  prisma: UsersPrisma;
  passwords: PasswordHasher;
  accessTokens: AccessTokenIssuer;
  signInThrottle: SignInThrottlePolicy;
  refreshTokenTtlDays: number;
  logger: Logger;
  clock?: () => Date;
  /** Called after a transaction that wrote outbox rows committed (app.ts reloads the suspension list). */
  eventsWritten?: () => void;
}

type FailureReason =
  'unknown_email' | 'wrong_password' | 'locked' | 'rate_limited' | 'organization_suspended';

export class AuthService {
  private readonly prisma: UsersPrisma;
  private readonly now: () => Date;
  private readonly throttle: LoginThrottle;

  constructor(private readonly options: AuthServiceOptions) {
    this.prisma = options.prisma;
    this.throttle = new LoginThrottle(options.prisma, options.signInThrottle);
    this.now = options.clock ?? (() => new Date());
  }

  async registerOrganization(ctx: BaseContext, input: RegisterOrganizationInput): Promise<AuthResult> {
    const kind = requireOneOf(input.kind, ['HOSPITAL', 'VENDOR'] as const, 'input.kind');
    const organizationName = requireText(input.organizationName, 'input.organizationName', {
      min: 2,
      max: 200,
    });
    const adminName = requireText(input.adminName, 'input.adminName', { max: 200 });
    const email = requireEmail(input.email, 'input.email');
    const password = requirePassword(input.password, 'input.password');
    const passwordHash = await this.options.passwords.hash(password);
    const refresh = newRefreshToken();
    try {
      const user = await this.prisma.$transaction(async (tx) => {
        const organization = await tx.organization.create({
          data: { name: organizationName, kind, status: kind === 'VENDOR' ? 'PENDING_APPROVAL' : 'ACTIVE' },
        });
        const created = await tx.user.create({
          data: {
            organizationId: organization.id,
            email,
            name: adminName,
            passwordHash,
            role: `${kind}_ADMIN`,
          },
        });
        await tx.refreshToken.create({ data: this.refreshRow(created.id, randomUUID(), refresh.hash) });
        // The new admin registered it: the actor, as any other user acting.
        await recordOrganizationEvent(tx, {
          type: 'organization.registered',
          organization,
          actor: created.id,
        });
        return created;
      });
      this.options.eventsWritten?.();
      ctx.logger.info(
        { userId: user.id, organizationId: user.organizationId, kind },
        'organization registered',
      );
      return await this.authResult(user, kind, refresh.token);
    } catch (error) {
      if (isUniqueViolation(error))
        throw errors.conflict('An account with this email already exists.', { field: 'input.email' });
      throw error;
    }
  }

  async login(ctx: BaseContext, rawEmail: string, password: string): Promise<AuthResult> {
    const email = rawEmail.trim().toLowerCase();
    const now = this.now();
    // Claimed before the account is looked up: unknown emails are counted and refused alike.
    const claim = await this.throttle.claim(email, ctx.clientAddress, now);
    if (!claim.allowed) {
      if (claim.reason === 'locked') {
        await this.recordAttempt(ctx, email, null, 'locked');
        throw errors.accountLocked(claim.lockedUntil);
      }
      await this.recordAttempt(ctx, email, null, 'rate_limited');
      throw errors.rateLimited(claim.retryAfterSeconds);
    }
    const user = await this.prisma.user.findUnique({ where: { email }, include: { organization: true } });
    // One path for both: even the development stack trace must not tell an unknown email apart.
    const passwordMatches = user
      ? await this.options.passwords.verify(password, user.passwordHash)
      : await this.options.passwords.verifyAgainstDummy(password).then(() => false);
    if (!user || !passwordMatches) {
      await this.recordAttempt(ctx, email, user?.id ?? null, user ? 'wrong_password' : 'unknown_email');
      this.logPairLocked(ctx, email, claim);
      throw errors.invalidCredentials();
    }
    // Checked after the password, so a guesser learns nothing about the organization.
    if (user.organization.status === 'SUSPENDED') {
      await this.recordAttempt(ctx, email, user.id, 'organization_suspended');
      throw errors.forbidden('Your organization is suspended. Contact Flow support.');
    }
    const refresh = newRefreshToken();
    const signedIn = await this.prisma.$transaction(async (tx) => {
      const updated = await tx.user.update({ where: { id: user.id }, data: { lastLoginAt: now } });
      await this.throttle.succeeded(tx, email, ctx.clientAddress);
      await tx.refreshToken.create({ data: this.refreshRow(user.id, randomUUID(), refresh.hash) });
      await tx.loginAttempt.create({ data: this.attemptRow(ctx, email, user.id, null) });
      return updated;
    });
    return this.authResult(signedIn, user.organization.kind, refresh.token);
  }

  private logPairLocked(
    ctx: BaseContext,
    email: string,
    claim: { failures: number; locksPairUntil: Date | null },
  ) {
    if (!claim.locksPairUntil) return;
    // The email, not the user id: the same line for unknown emails, so logs show guessing too.
    ctx.logger.warn(
      {
        email,
        clientAddress: ctx.clientAddress,
        failures: claim.failures,
        lockedUntil: claim.locksPairUntil,
      },
      'sign-in locked for this email and address',
    );
  }

  /**
   * Rotates a refresh token. A token that was already rotated (or revoked) being presented again
   * means it leaked or was replayed: the whole family is revoked and the caller must sign in.
   */
  async refreshSession(ctx: BaseContext, token: string): Promise<AuthResult> {
    const now = this.now();
    const stored = await this.prisma.refreshToken.findUnique({
      where: { tokenHash: hashRefreshToken(token) },
    });
    if (!stored) throw errors.invalidRefreshToken();
    if (stored.rotatedAt || stored.revokedAt) {
      if (stored.rotatedAt) await this.revokeFamily(ctx, stored.familyId, 'reuse_detected');
      throw errors.invalidRefreshToken();
    }
    if (stored.expiresAt <= now) throw errors.invalidRefreshToken();

    const next = newRefreshToken();
    const outcome = await this.prisma.$transaction(async (tx) => {
      // The conditional update is the lock: of two concurrent refreshes with one token, one wins.
      const claimed = await tx.refreshToken.updateMany({
        where: { id: stored.id, rotatedAt: null, revokedAt: null },
        data: { rotatedAt: now },
      });
      if (claimed.count !== 1) return null;
      const user = await tx.user.findUniqueOrThrow({
        where: { id: stored.userId },
        include: { organization: true },
      });
      if (user.organization.status === 'SUSPENDED') return user;
      await tx.refreshToken.create({ data: this.refreshRow(user.id, stored.familyId, next.hash) });
      return user;
    });
    if (!outcome) {
      await this.revokeFamily(ctx, stored.familyId, 'reuse_detected');
      throw errors.invalidRefreshToken();
    }
    if (outcome.organization.status === 'SUSPENDED') {
      await this.revokeFamily(ctx, stored.familyId, 'organization_suspended');
      throw errors.forbidden('Your organization is suspended. Contact Flow support.');
    }
    return this.authResult(outcome, outcome.organization.kind, next.token);
  }

  /** Ends the session (token family) the token belongs to. */
  async logout(ctx: BaseContext, token: string): Promise<boolean> {
    const stored = await this.prisma.refreshToken.findUnique({
      where: { tokenHash: hashRefreshToken(token) },
    });
    if (!stored || stored.revokedAt || stored.rotatedAt) return false;
    await this.revokeFamily(ctx, stored.familyId, 'logout');
    return true;
  }

  /** Revokes every live session of the given users (e.g. their organization was suspended). */
  async revokeSessionsOfOrganization(organizationId: string, reason: string): Promise<number> {
    const result = await this.prisma.refreshToken.updateMany({
      where: { revokedAt: null, user: { organizationId } },
      data: { revokedAt: this.now(), revokedReason: reason },
    });
    return result.count;
  }

  private async revokeFamily(ctx: BaseContext, familyId: string, reason: string) {
    const result = await this.prisma.refreshToken.updateMany({
      where: { familyId, revokedAt: null },
      data: { revokedAt: this.now(), revokedReason: reason },
    });
    const log =
      reason === 'reuse_detected' ? ctx.logger.warn.bind(ctx.logger) : ctx.logger.info.bind(ctx.logger);
    log({ familyId, reason, revoked: result.count }, 'refresh token family revoked');
  }

  private async recordAttempt(ctx: BaseContext, email: string, userId: string | null, reason: FailureReason) {
    await this.prisma.loginAttempt.create({ data: this.attemptRow(ctx, email, userId, reason) });
  }

  private attemptRow(ctx: BaseContext, email: string, userId: string | null, reason: FailureReason | null) {
    return {
      email: email.slice(0, 254),
      userId,
      succeeded: reason === null,
      failureReason: reason,
      clientAddress: ctx.clientAddress,
      requestId: ctx.requestId,
    };
  }

  private refreshRow(userId: string, familyId: string, tokenHash: string) {
    const expiresAt = new Date(this.now().getTime() + this.options.refreshTokenTtlDays * 86_400_000);
    return { userId, familyId, tokenHash, expiresAt };
  }

  private async authResult(
    user: User,
    organizationKind: Organization['kind'],
    refreshToken: string,
  ): Promise<AuthResult> {
    const access = await this.options.accessTokens.issue(
      { userId: user.id, organizationId: user.organizationId, organizationKind, role: user.role },
      this.now(),
    );
    return { accessToken: access.token, accessTokenExpiresAt: access.expiresAt, refreshToken, user };
  }
}
