import {
  errors,
  isUuid,
  pageByCreatedAt,
  PARTNER_SCOPES,
  requireUuid,
  requireViewer,
  type Connection,
  type PartnerScope,
  type Viewer,
} from '@flow/core';
import { type BaseContext, isUniqueViolation } from '@flow/subgraph-kit';
import type { ClientApplication } from '../generated/prisma/client';
import type { UsersPrisma } from '../db';
import type { AccessTokenIssuer } from '../keys/access-tokens';
import { hashClientSecret, newClientSecret } from './client-secrets';
import { LoginThrottle, type SignInThrottlePolicy } from './login-throttle';
import { assertCan, visibleClientApplicationsWhere } from './policy';

/** The client name of a manifest folder (schema/clients/<name>): safe in paths and URLs. */
const CLIENT_NAME = /^[a-z0-9][a-z0-9-]{1,62}$/;
export const MAX_OVERLAP_SECONDS = 86_400;

export interface CreateClientApplicationInput {
  name: string;
  scopes: readonly string[];
  organizationId?: string | null;
}

export interface ClientApplicationWithSecret {
  application: ClientApplication;
  clientSecret: string;
  previousSecretExpiresAt: Date | null;
}

/** RFC 6749 section 5.2 error codes, and 429 while failed authentications are throttled. */
export type TokenErrorCode =
  | 'invalid_client'
  | 'invalid_scope'
  | 'invalid_request'
  | 'unsupported_grant_type'
  | 'temporarily_unavailable';

export class TokenGrantError extends Error {
  constructor(
    readonly code: TokenErrorCode,
    readonly description: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(description);
    this.name = 'TokenGrantError';
  }
}

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  /** The `scope` parameter: space-separated; absent means every scope of the application. */
  scope: string | undefined;
}

export interface GrantedToken {
  accessToken: string;
  expiresIn: number;
  scope: string;
}

export interface ClientApplicationServiceOptions {
  prisma: UsersPrisma;
  accessTokens: AccessTokenIssuer;
  signInThrottle: SignInThrottlePolicy;
  /** Partner access tokens live this long (PARTNER_TOKEN_TTL_SECONDS). */
  tokenTtlSeconds: number;
  clock?: () => Date;
  /**
   * Called after a revocation, or a rotation with no overlap, committed: the suspension list is
   * reloaded at once, so the ended application's or secret's tokens are refused within seconds.
   */
  accessEnded?: () => void;
}

/**
 * The one rule for managing client applications: platform admins for any organization, an
 * organization's admins for their own. Anyone else (staff, drivers, partners) is FORBIDDEN.
 */
export function requireClientApplicationManager(viewer: Viewer | null, organizationId: string): Viewer {
  const present = requireViewer(viewer);
  assertCan.manageClientApplications(present, organizationId);
  return present;
}

function requireScopes(raw: readonly string[]): PartnerScope[] {
  if (raw.length === 0)
    throw errors.badUserInput('input.scopes', 'input.scopes must name at least one scope.');
  raw.forEach((scope, index) => {
    if (!PARTNER_SCOPES.includes(scope as PartnerScope))
      throw errors.badUserInput(
        `input.scopes[${index}]`,
        `input.scopes[${index}] must be one of ${PARTNER_SCOPES.join(', ')}.`,
      );
  });
  return [...new Set(raw as PartnerScope[])];
}

export class ClientApplicationService {
  private readonly prisma: UsersPrisma;
  private readonly now: () => Date;
  private readonly throttle: LoginThrottle;

  constructor(private readonly options: ClientApplicationServiceOptions) {
    this.prisma = options.prisma;
    this.now = options.clock ?? (() => new Date());
    this.throttle = new LoginThrottle(options.prisma, options.signInThrottle);
  }

  async create(ctx: BaseContext, input: CreateClientApplicationInput): Promise<ClientApplicationWithSecret> {
    const viewer = requireViewer(ctx.viewer);
    let organizationId = viewer.organizationId;
    if (input.organizationId !== null && input.organizationId !== undefined)
      organizationId = requireUuid(input.organizationId, 'input.organizationId');
    requireClientApplicationManager(viewer, organizationId);
    const name = input.name.trim();
    if (!CLIENT_NAME.test(name))
      throw errors.badUserInput(
        'input.name',
        'input.name must be 2 to 63 lowercase letters, digits or dashes, starting with a letter or digit.',
      );
    const scopes = requireScopes(input.scopes);
    const organization = await this.prisma.organization.findUnique({ where: { id: organizationId } });
    if (!organization) throw errors.notFound('Organization', organizationId);
    if (organization.kind === 'PLATFORM')
      throw errors.badUserInput(
        'input.organizationId',
        'Name the hospital or vendor the application acts for.',
      );
    if (organization.status !== 'ACTIVE')
      throw errors.conflict('Only an ACTIVE organization can have client applications.', {
        status: organization.status,
      });
    const secret = newClientSecret();
    try {
      const application = await this.prisma.clientApplication.create({
        data: {
          organizationId,
          name,
          scopes,
          createdBy: viewer.clientApplication ? null : viewer.userId,
          secrets: { create: { secretHash: secret.hash } },
        },
      });
      ctx.logger.info(
        { clientApplicationId: application.id, organizationId, name, by: viewer.userId },
        'client application created',
      );
      return { application, clientSecret: secret.secret, previousSecretExpiresAt: null };
    } catch (error) {
      if (isUniqueViolation(error))
        throw errors.conflict('A client application with this name already exists.', { field: 'input.name' });
      throw error;
    }
  }

  /** A new secret; every older one stops getting tokens when the overlap ends (0: at once). */
  async rotateSecret(ctx: BaseContext, rawId: string, rawOverlap: number | null | undefined) {
    const overlapSeconds = rawOverlap ?? 3600;
    if (!Number.isSafeInteger(overlapSeconds) || overlapSeconds < 0 || overlapSeconds > MAX_OVERLAP_SECONDS)
      throw errors.badUserInput(
        'overlapSeconds',
        `overlapSeconds must be a whole number from 0 to ${MAX_OVERLAP_SECONDS}.`,
      );
    const application = await this.managed(ctx, rawId);
    if (application.status !== 'ACTIVE')
      throw errors.conflict('A revoked client application cannot be rotated.');
    const previousSecretExpiresAt = new Date(this.now().getTime() + overlapSeconds * 1000);
    const secret = newClientSecret();
    await this.prisma.$transaction(async (tx) => {
      // An earlier overlap that ends sooner is kept: a rotation never extends an old secret.
      await tx.clientSecret.updateMany({
        where: {
          clientApplicationId: application.id,
          OR: [{ expiresAt: null }, { expiresAt: { gt: previousSecretExpiresAt } }],
        },
        data: { expiresAt: previousSecretExpiresAt },
      });
      await tx.clientSecret.create({
        data: { clientApplicationId: application.id, secretHash: secret.hash },
      });
    });
    // An overlap ends by time and shows at the next periodic reload; none at all, right now.
    if (overlapSeconds === 0) this.options.accessEnded?.();
    ctx.logger.info(
      { clientApplicationId: application.id, overlapSeconds, by: ctx.viewer?.userId },
      'client secret rotated',
    );
    return { application, clientSecret: secret.secret, previousSecretExpiresAt };
  }

  /** No new tokens at once; its tokens are refused everywhere at the next suspension-list reload. */
  async revoke(ctx: BaseContext, rawId: string): Promise<ClientApplication> {
    const application = await this.managed(ctx, rawId);
    if (application.status === 'REVOKED') return application;
    const now = this.now();
    await this.prisma.clientApplication.updateMany({
      where: { id: application.id, status: 'ACTIVE' },
      data: { status: 'REVOKED', revokedAt: now, revokedBy: ctx.viewer?.userId ?? null },
    });
    this.options.accessEnded?.();
    ctx.logger.info(
      { clientApplicationId: application.id, by: ctx.viewer?.userId },
      'client application revoked',
    );
    return this.prisma.clientApplication.findUniqueOrThrow({ where: { id: application.id } });
  }

  async list(
    ctx: BaseContext,
    args: { first?: number | null; after?: string | null },
  ): Promise<Connection<ClientApplication>> {
    const viewer = requireViewer(ctx.viewer);
    requireClientApplicationManager(viewer, viewer.organizationId);
    const where = visibleClientApplicationsWhere(viewer);
    return pageByCreatedAt(
      args,
      'desc',
      (page) => this.prisma.clientApplication.findMany({ ...page, where: { ...where, ...page.where } }),
      () => this.prisma.clientApplication.count({ where }),
    );
  }

  /**
   * The client credentials grant (RFC 6749 section 4.4). Each attempt is claimed as a failure
   * before the secret is checked (the sign-in throttle, keyed `client:<client_id>` per address),
   * so guessing is bounded even across concurrent requests; a success gives the claim back.
   */
  async grant(
    ctx: Pick<BaseContext, 'clientAddress' | 'requestId' | 'logger'>,
    credentials: ClientCredentials,
  ): Promise<GrantedToken> {
    const now = this.now();
    const key = `client:${credentials.clientId.slice(0, 100)}`;
    const claim = await this.throttle.claim(key, ctx.clientAddress, now);
    if (!claim.allowed) {
      const retryAfterSeconds =
        claim.reason === 'locked'
          ? Math.max(1, Math.ceil((claim.lockedUntil.getTime() - now.getTime()) / 1000))
          : claim.retryAfterSeconds;
      await this.recordAttempt(ctx, key, claim.reason);
      throw new TokenGrantError(
        'temporarily_unavailable',
        'Too many failed client authentications. Try again later.',
        retryAfterSeconds,
      );
    }
    const found = isUuid(credentials.clientId)
      ? await this.prisma.clientSecret.findUnique({
          where: { secretHash: hashClientSecret(credentials.clientSecret) },
          include: { clientApplication: { include: { organization: true } } },
        })
      : null;
    const application = found?.clientApplication;
    const valid =
      !!found &&
      !!application &&
      application.id === credentials.clientId.toLowerCase() &&
      (found.expiresAt === null || found.expiresAt > now) &&
      application.status === 'ACTIVE' &&
      application.organization.status === 'ACTIVE';
    if (!valid || !found || !application) {
      await this.recordAttempt(ctx, key, 'invalid_client');
      throw new TokenGrantError('invalid_client', 'Client authentication failed.');
    }
    // Authenticated: the claim is given back even if the scope asked for is refused below.
    await this.prisma.$transaction(async (tx) => {
      await this.throttle.succeeded(tx, key, ctx.clientAddress);
      await tx.loginAttempt.create({ data: this.attemptRow(ctx, key, null) });
    });
    const scopes = this.grantedScopes(application.scopes, credentials.scope);
    const { token } = await this.options.accessTokens.issueForClient(
      {
        applicationId: application.id,
        name: application.name,
        secretId: found.id,
        organizationId: application.organizationId,
        organizationKind: application.organization.kind,
        scopes,
      },
      this.options.tokenTtlSeconds,
      now,
    );
    ctx.logger.info({ clientApplicationId: application.id, scopes }, 'client token issued');
    return { accessToken: token, expiresIn: this.options.tokenTtlSeconds, scope: scopes.join(' ') };
  }

  private grantedScopes(allowed: readonly string[], requested: string | undefined): string[] {
    if (requested === undefined) return [...allowed];
    const asked = [...new Set(requested.split(' ').filter(Boolean))];
    const outside = asked.filter((scope) => !allowed.includes(scope));
    if (asked.length === 0 || outside.length > 0)
      throw new TokenGrantError(
        'invalid_scope',
        asked.length === 0
          ? 'scope is empty.'
          : `Not granted to this client: ${outside.join(' ')}. Granted: ${allowed.join(' ')}.`,
      );
    return asked;
  }

  private async managed(ctx: BaseContext, rawId: string): Promise<ClientApplication> {
    const viewer = requireViewer(ctx.viewer);
    const id = requireUuid(rawId, 'id');
    const application = await this.prisma.clientApplication.findUnique({ where: { id } });
    if (!application) throw errors.notFound('ClientApplication', id);
    requireClientApplicationManager(viewer, application.organizationId);
    return application;
  }

  private attemptRow(
    ctx: Pick<BaseContext, 'clientAddress' | 'requestId'>,
    key: string,
    failureReason: string | null,
  ) {
    return {
      email: key,
      userId: null,
      succeeded: failureReason === null,
      failureReason,
      clientAddress: ctx.clientAddress,
      requestId: ctx.requestId,
    };
  }

  private async recordAttempt(
    ctx: Pick<BaseContext, 'clientAddress' | 'requestId'>,
    key: string,
    failureReason: string,
  ) {
    await this.prisma.loginAttempt.create({ data: this.attemptRow(ctx, key, failureReason) });
  }
}
