import type { Express } from 'express';
import { createTokenVerifier, type Logger } from '@flow/core';
import { startSubgraph, subgraphMigrationsDir, type RunningSubgraph } from '@flow/subgraph-kit';
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { join } from 'node:path';
import {
  accountsWithPublicPasswords,
  bootstrapPlatformAdmin,
  DEVELOPMENT_ADMIN,
  seedDemoData,
} from './bootstrap';
import type { UsersPrisma } from './db';
import { usersKitConfig, type UsersEnvironment } from './env';
import { PrismaClient } from './generated/prisma/client';
import { SigningKeyStore } from './keys/signing-keys';
import { createLoaders } from './loaders';
import { mountOAuthTokenRoute } from './oauth-token-route';
import { createUsersServices, type UsersServices } from './services';
import { buildUsersSchema } from './subgraph';
import { openSuspensionList } from './suspension-list';

export const migrationsDir = subgraphMigrationsDir('users');
export const JWKS_PATH = '/.well-known/jwks.json';

export interface UsersApp extends RunningSubgraph {
  services: UsersServices;
  keys: SigningKeyStore;
  prisma: UsersPrisma;
}

export interface UsersAppOptions {
  /** Sees every SQL statement (tests count them to prove lists do not cost a query per item). */
  onQuery?: (sql: string) => void;
}

/**
 * The users subgraph: it bootstraps the platform admin, signs tokens with its own keys (and
 * verifies them against the same set), serves the suspension list to the others, publishes its outbox.
 */
export function startUsersApp(
  env: UsersEnvironment,
  logger: Logger,
  options: UsersAppOptions = {},
): Promise<UsersApp> {
  return startSubgraph({
    name: 'users',
    config: usersKitConfig(env),
    logger,
    options,
    PrismaClient,
    schema: buildUsersSchema,
    outbox: true,
    wire: async ({ prisma, database }) => {
      const suspensionList = openSuspensionList(database, env, logger);
      const { suspensions } = suspensionList;
      const keys = await SigningKeyStore.open({
        json: env.JWT_SIGNING_KEYS,
        file: env.JWT_SIGNING_KEYS_FILE ?? join(env.FLOW_DATA_DIR, 'keys', 'users-signing-keys.json'),
        createIfMissing: env.FLOW_ENV !== 'production',
      });
      const services = createUsersServices({
        prisma,
        keys,
        logger,
        issuer: env.JWT_ISSUER,
        audience: env.JWT_AUDIENCE,
        accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
        refreshTokenTtlDays: env.REFRESH_TOKEN_TTL_DAYS,
        signInThrottle: {
          address: {
            maxFailures: env.LOGIN_MAX_FAILURES,
            baseSeconds: env.LOGIN_LOCKOUT_BASE_SECONDS,
            maxSeconds: env.LOGIN_LOCKOUT_MAX_SECONDS,
          },
          account: {
            failuresPerWindow: env.LOGIN_ACCOUNT_FAILURES_PER_WINDOW,
            windowSeconds: env.LOGIN_ACCOUNT_WINDOW_SECONDS,
            trustedAddressDays: env.LOGIN_TRUSTED_ADDRESS_DAYS,
          },
        },
        passwordLog2Cost: env.PASSWORD_SCRYPT_LOG2_COST,
        passwordHashConcurrency: env.PASSWORD_HASH_CONCURRENCY,
        // A suspension or reinstatement is enforced here at once, not at the next reload.
        eventsWritten: () => void suspensions.refresh(),
        partnerTokenTtlSeconds: env.PARTNER_TOKEN_TTL_SECONDS,
        clientAccessEnded: () => void suspensions.refresh(),
      });

      const admin = {
        email: env.FLOW_ADMIN_EMAIL ?? DEVELOPMENT_ADMIN.email,
        password: env.FLOW_ADMIN_PASSWORD ?? DEVELOPMENT_ADMIN.password,
      };
      await bootstrapPlatformAdmin(prisma, services.passwords, admin, logger);
      if (env.FLOW_ENV === 'production') {
        const exposed = await accountsWithPublicPasswords(prisma, services.passwords);
        if (exposed.length) {
          throw new Error(
            `production refuses to start while these accounts sign in with the README's demo passwords: ${exposed.join(', ')} (change their passwords or delete them)`,
          );
        }
      }
      // Rows written before the relay starts (bootstrap, seed) go out on its first pass.
      if (env.SEED_DEMO_DATA) await seedDemoData(prisma, services.passwords, logger);

      return {
        context: (base) => ({
          ...base,
          services,
          loaders: createLoaders(prisma),
          signedInUserIds: new Set<string>(),
        }),
        server: {
          // users verifies tokens against its own published keys: the same set the router fetches.
          verifyToken: createTokenVerifier({
            issuer: env.JWT_ISSUER,
            audience: env.JWT_AUDIENCE,
            keys: publishedKeys(() => keys.jwks()),
            maxTokenAgeSeconds: env.MAX_TOKEN_AGE_SECONDS,
            verifiedTokenCacheSize: env.VERIFIED_TOKEN_CACHE_SIZE,
          }),
          suspensions,
          serveSuspendedOrganizations: suspensionList.serve,
          routes: (app: Express) => {
            app.get(JWKS_PATH, (_req, res) => {
              res.set('cache-control', 'public, max-age=60');
              res.json(keys.jwks());
            });
            mountOAuthTokenRoute(app, {
              clients: services.clients,
              routerSecret: env.ROUTER_SIGNING_SECRET,
              production: env.FLOW_ENV === 'production',
              logger: logger.child({ component: 'oauth' }),
            });
          },
        },
        close: suspensionList.close,
        expose: { services, keys, prisma },
      };
    },
  });
}

/**
 * The key set users publishes, as jose verifies with it: rebuilt only when the set changes (a
 * rotation), so that its imported keys are reused rather than imported again for every token.
 */
function publishedKeys(current: () => JSONWebKeySet): JWTVerifyGetKey {
  let published = '';
  let keys: JWTVerifyGetKey | undefined;
  return (header, token) => {
    const jwks = current();
    const text = JSON.stringify(jwks);
    if (!keys || text !== published) {
      published = text;
      keys = createLocalJWKSet(jwks);
    }
    return keys(header, token);
  };
}
