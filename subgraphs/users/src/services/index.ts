import type { Logger } from '@flow/core';
import type { UsersPrisma } from '../db';
import { AccessTokenIssuer } from '../keys/access-tokens';
import type { SigningKeyStore } from '../keys/signing-keys';
import { AuthService } from './auth-service';
import { ClientApplicationService } from './client-application-service';
import type { SignInThrottlePolicy } from './login-throttle';
import { OrganizationService } from './organization-service';
import { PasswordHasher } from './passwords';
import { UserService } from './user-service';

export interface UsersServices {
  auth: AuthService;
  organizations: OrganizationService;
  users: UserService;
  passwords: PasswordHasher;
  clients: ClientApplicationService;
}

export interface UsersServicesOptions {
  prisma: UsersPrisma;
  keys: SigningKeyStore;
  logger: Logger;
  issuer: string;
  audience: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
  signInThrottle: SignInThrottlePolicy;
  passwordLog2Cost: number;
  /** Password derivations at a time (PASSWORD_HASH_CONCURRENCY); 2 when not given. */
  passwordHashConcurrency?: number;
  clock?: () => Date;
  /** Called after a transaction that wrote outbox rows committed (app.ts reloads the suspension list). */
  eventsWritten?: () => void;
  /** Partner access tokens' lifetime (PARTNER_TOKEN_TTL_SECONDS). */
  partnerTokenTtlSeconds: number;
  /**
   * Called after a client application was revoked or a secret ended at once (rotation with no
   * overlap): app.ts reloads the suspension list.
   */
  clientAccessEnded?: () => void;
}

export function createUsersServices(options: UsersServicesOptions): UsersServices {
  const passwords = new PasswordHasher(options.passwordLog2Cost, {
    concurrency: options.passwordHashConcurrency,
  });
  const accessTokens = new AccessTokenIssuer({
    keys: options.keys,
    issuer: options.issuer,
    audience: options.audience,
    ttlSeconds: options.accessTokenTtlSeconds,
  });
  const auth = new AuthService({
    prisma: options.prisma,
    passwords,
    accessTokens,
    signInThrottle: options.signInThrottle,
    refreshTokenTtlDays: options.refreshTokenTtlDays,
    logger: options.logger.child({ service: 'auth' }),
    clock: options.clock,
    eventsWritten: options.eventsWritten,
  });
  return {
    auth,
    organizations: new OrganizationService(options.prisma, auth, options.eventsWritten),
    users: new UserService(options.prisma, passwords),
    passwords,
    clients: new ClientApplicationService({
      prisma: options.prisma,
      accessTokens,
      signInThrottle: options.signInThrottle,
      tokenTtlSeconds: options.partnerTokenTtlSeconds,
      clock: options.clock,
      accessEnded: options.clientAccessEnded,
    }),
  };
}
