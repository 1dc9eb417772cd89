// The router's configuration: every environment variable it reads, validated in one place.
// An invalid value stops the process with a message that names every bad variable.
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import {
  DEFAULT_MAX_TOKEN_AGE_SECONDS,
  defaultSubgraphUrl,
  httpServerPolicyFromEnv,
  httpServerPolicyProblems,
  httpServerPolicyShape,
  InvalidEnvironmentError,
  jwksOptionsFromEnv,
  type JwksOptions,
  type HttpServerPolicy,
  disableTelemetry,
  flowEnvSchema,
  loadEnvironmentOrExit,
  logLevelSchema,
  parseEnvironment,
  portSchema,
  ROUTER_PORT,
  subgraphCatalog,
  subgraphUrlVariable,
  z,
} from '@flow/core';
import { suspensionRefreshMsSchema } from '@flow/subgraph-kit';
import type { OperationBudget } from './budget';
import { supergraphFileProblem, supergraphFileSubgraphs } from './supergraph';

import type { CapLimits } from './usage/caps';
import type { RateLimitSettings } from './usage/rate-limits';
import { parseTrustedClients } from './usage/trusted';
import { DOCUMENTS_MODES, type DocumentsMode } from './trusted-documents/registry';
import type { ApqSettings } from './trusted-documents/apq-cache';

/** Why RATE_LIMIT_TRUSTED is invalid, or null. */
function trustedError(text: string): string | null {
  try {
    parseTrustedClients(text);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

// Set before @apollo/gateway is constructed anywhere in this process (startRouter sets it too).
disableTelemetry();

/** Used only outside production, where a known secret is harmless and saves a setup step. */
export const DEVELOPMENT_SIGNING_SECRET = 'flow-development-router-signing-secret';
export const MIN_PRODUCTION_SECRET_LENGTH = 32;

/** The repository root (router/src/.. /..): relative default paths resolve against it. */
const repositoryRoot = resolve(__dirname, '..', '..');
const DEFAULT_SUPERGRAPH_PATH = 'schema/supergraph.graphql';
const DEFAULT_TRUSTED_DOCUMENTS_DIR = 'schema/clients';
export const SUBGRAPH_URL_SOURCES = ['catalog', 'supergraph'] as const;

const resolvePath = (path: string) =>
  isAbsolute(path) ? path : existsSync(resolve(path)) ? resolve(path) : resolve(repositoryRoot, path);

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const positiveInt = (fallback: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(1).max(max).default(fallback);
const nonNegativeInt = (fallback: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(0).max(max).default(fallback);

/** Variables the router reads, with their defaults. The README's table mirrors this. */
/** Like booleanSchema, but unset stays undefined: EXPLORER falls back to SANDBOX, then FLOW_ENV. */
const optionalBoolean = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .optional()
  .transform((value) => (value === undefined ? undefined : ['true', '1', 'yes'].includes(value)));

function routerShape(production: boolean) {
  return {
    FLOW_ENV: flowEnvSchema,
    LOG_LEVEL: logLevelSchema,
    PORT: portSchema(ROUTER_PORT),
    /** Loopback by default: a developer's router is not reachable from the network unless asked. */
    HOST: z.string().min(1).default('127.0.0.1'),
    SUPERGRAPH_PATH: z
      .string()
      .default(DEFAULT_SUPERGRAPH_PATH)
      .transform(resolvePath)
      .refine((path) => supergraphFileProblem(path) === null, {
        error: (issue) => supergraphFileProblem(String(issue.input)) ?? '',
      }),
    /**
     * Where the subgraphs are. `catalog`: Flow's own, each at its `<NAME>_URL`. `supergraph`: any
     * subgraphs, each at the join__graph URL the supergraph file records (README "Federation
     * compatibility"); they are sent one operation per request, never a batch.
     */
    SUBGRAPH_URLS: z
      .enum(SUBGRAPH_URL_SOURCES, { error: `must be one of ${SUBGRAPH_URL_SOURCES.join(', ')}` })
      .default('catalog'),
    // Trusted documents and APQ (README "Trusted documents").
    /** The client applications and their manifests (`npm run manifests`). */
    TRUSTED_DOCUMENTS_DIR: z.string().default(DEFAULT_TRUSTED_DOCUMENTS_DIR).transform(resolvePath),
    /** The mode of requests that name no known client application. */
    TRUSTED_DOCUMENTS_DEFAULT_MODE: z
      .enum(DOCUMENTS_MODES as [DocumentsMode, ...DocumentsMode[]], {
        error: `must be one of ${DOCUMENTS_MODES.join(', ')}`,
      })
      .default('arbitrary'),
    /** How long a registered automatic persisted query is kept. */
    APQ_TTL_SECONDS: positiveInt(86_400, 30 * 86_400),
    /** Larger documents run but are not remembered. */
    APQ_MAX_ENTRY_BYTES: positiveInt(65_536, 16 * 1024 * 1024),
    /** Bound of the in-process APQ store (without REDIS_URL). */
    APQ_CACHE_MAX_BYTES: positiveInt(16 * 1024 * 1024, 1024 * 1024 * 1024),
    USERS_JWKS_URL: httpUrl.optional(),
    JWT_ISSUER: z.string().min(1).default('urn:flow:users'),
    JWT_AUDIENCE: z.string().min(1).default('urn:flow:api'),
    /** Signs every call between Flow's processes; ROUTER_SIGNING_SECRET is its former name. */
    INTERNAL_SIGNING_SECRET: production
      ? z
          .string({ error: `required in production (at least ${MIN_PRODUCTION_SECRET_LENGTH} characters)` })
          .min(MIN_PRODUCTION_SECRET_LENGTH, {
            error: `must be at least ${MIN_PRODUCTION_SECRET_LENGTH} characters in production`,
          })
          .refine((secret) => secret !== DEVELOPMENT_SIGNING_SECRET, {
            error: 'must not be the development default in production',
          })
      : z.string().min(16).default(DEVELOPMENT_SIGNING_SECRET),
    /** Seconds jose waits after a JWKS fetch before an unknown `kid` may trigger another one. */
    JWKS_COOLDOWN_SECONDS: nonNegativeInt(30, 3600),
    /** Seconds after which the cached JWKS is refetched even when every `kid` is known. */
    JWKS_CACHE_SECONDS: positiveInt(600, 86_400),
    /** Verified access tokens remembered (core auth/tokens.ts), at most 60 s each; 0 verifies every request. */
    VERIFIED_TOKEN_CACHE_SIZE: nonNegativeInt(5000, 1_000_000),
    MAX_REQUEST_BODY_BYTES: positiveInt(262_144, 16 * 1024 * 1024),
    MAX_QUERY_DEPTH: positiveInt(15, 1000),
    MAX_QUERY_ALIASES: nonNegativeInt(30, 100_000),
    MAX_QUERY_TOKENS: positiveInt(10_000, 1_000_000),
    // Operation budget (README "Operation budget"): checked before planning on every transport.
    /** Field selections once fragments are expanded (each spread counts its fragment again). */
    MAX_QUERY_SELECTIONS: positiveInt(1_000, 1_000_000_000),
    /** Fragment spreads and inline fragments, expanded. */
    MAX_QUERY_FRAGMENT_SPREADS: nonNegativeInt(500, 1_000_000_000),
    /** Directives, expanded. */
    MAX_QUERY_DIRECTIVES: nonNegativeInt(50, 100_000),
    /** Static cost estimate from @cost/@listSize on the supergraph. */
    MAX_QUERY_COST: positiveInt(2_500, 1_000_000_000),
    /** List size assumed for a list with neither a slicing argument nor @listSize(assumedSize). */
    QUERY_COST_DEFAULT_LIST_SIZE: nonNegativeInt(10, 100_000),
    SUBGRAPH_TIMEOUT_MS: positiveInt(10_000, 300_000),
    /**
     * The deadline of placeOrder's call to orders: above the placement saga's worst case (orders'
     * DEPENDENCY_TIMEOUT_MS x 32 + PAYMENTS_TIMEOUT_MS + 2 s, 108 s at the defaults) and at most
     * orders' REQUEST_DEADLINE_MAX_MS (150 s), so that a caller is told the outcome, or ORDER_PENDING.
     */
    PLACE_ORDER_TIMEOUT_MS: positiveInt(120_000, 600_000),
    /** How often the suspended organizations are reloaded from users (README "Security"). */
    SUSPENSION_REFRESH_MS: suspensionRefreshMsSchema(),
    SHUTDOWN_GRACE_MS: positiveInt(8_000, 120_000),
    /** How long a WebSocket may take to send connection_init before it is closed with 4408. */
    WS_CONNECTION_INIT_TIMEOUT_MS: positiveInt(3_000, 60_000),
    // Live transports (graphql-ws, SSE)
    /**
     * Bound of the parsed-document cache of graphql-ws and SSE, in estimated bytes of the parsed
     * documents (about 100 per character of text) and their plans; 0: nothing is cached.
     */
    SUBSCRIPTION_CACHE_MAX_BYTES: nonNegativeInt(33_554_432, 1024 * 1024 * 1024),
    /** Express `trust proxy`: unset (the socket address is the client), a hop count, or addresses/subnets. */
    TRUST_PROXY: z.string().optional(),
    /**
     * Sign-in attempts (login, registerOrganization, refreshSession; each field of an operation
     * counts) one client address may make per sliding minute; 0 turns the throttle off.
     */
    LOGIN_RATE_LIMIT_PER_MINUTE: nonNegativeInt(20, 100_000),
    /** Shared rate-limit counters (and later caches); unset: in-process counters, one machine. */
    REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
    /** Prepended to every Redis key, so that several deployments can share one Redis. */
    REDIS_KEY_PREFIX: z.string().min(1).max(100).default('flow:'),
    // Rate limits and caps (usage/; README "Rate limits and caps"). Points: an operation spends
    // its estimated cost (1 when unknown). 0 turns a rate limit off.
    RATE_LIMIT_USER_POINTS_PER_MINUTE: nonNegativeInt(20_000, 100_000_000),
    /** Each partner client application's own budget (instead of the user one). */
    RATE_LIMIT_CLIENT_POINTS_PER_MINUTE: nonNegativeInt(20_000, 100_000_000),
    RATE_LIMIT_ORGANIZATION_POINTS_PER_MINUTE: nonNegativeInt(100_000, 100_000_000),
    RATE_LIMIT_ADDRESS_POINTS_PER_MINUTE: nonNegativeInt(100_000, 100_000_000),
    RATE_LIMIT_ANONYMOUS_POINTS_PER_MINUTE: nonNegativeInt(5_000, 100_000_000),
    /** Each budget holds this many seconds' worth of its rate: the most spendable at once. */
    RATE_LIMIT_BURST_SECONDS: positiveInt(60, 3600),
    /**
     * With REDIS_URL: the share of a budget (percent of the smallest one an operation spends from)
     * each router takes from Redis at once for a caller who keeps calling, and spends without a
     * round trip (@flow/rate-limit LeasedPointsLimiter). 0: every operation asks Redis.
     */
    RATE_LIMIT_LEASE_PERCENT: nonNegativeInt(5, 50),
    /** `org:<id>=<multiplier>` or `<address or subnet>=<multiplier>`, comma-separated. */
    RATE_LIMIT_TRUSTED: z
      .string()
      .default('')
      .refine((text) => trustedError(text) === null, {
        error: (issue) => trustedError(String(issue.input)) ?? '',
      }),
    MAX_SUBSCRIPTIONS_PER_SOCKET: positiveInt(200, 100_000),
    MAX_SUBSCRIPTIONS_PER_USER: positiveInt(500, 1_000_000),
    /**
     * Distinct subscription documents one user may have live: each one is resolved apart on every
     * event, while identical ones share one resolution.
     */
    MAX_SUBSCRIPTION_DOCUMENTS_PER_USER: positiveInt(25, 100_000),
    MAX_SOCKETS_PER_USER: positiveInt(32, 100_000),
    MAX_SSE_STREAMS_PER_USER: positiveInt(32, 100_000),
    MAX_ANONYMOUS_SOCKETS_PER_ADDRESS: positiveInt(64, 100_000),
    /** Comma-separated browser origins allowed by CORS; empty: no cross-origin browser access. */
    CORS_ORIGINS: z.string().default(''),
    /**
     * The explorer (src/explorer.ts) on GET /graphql, with introspection (its docs need it): on
     * outside production, off in production unless enabled. SANDBOX is its former name.
     */
    EXPLORER: optionalBoolean,
    SANDBOX: optionalBoolean,
    /** Query plans regrouped into levels (src/plan-levels.ts); off: run as the gateway plans them. */
    QUERY_PLAN_LEVELS: optionalBoolean,
    // --- Stale callers (issue 10): token age, HTTP server timeouts and connection cap.
    /** Oldest access token accepted (since `iat`), and longest lifetime (`exp - iat`) one may claim. */
    MAX_TOKEN_AGE_SECONDS: positiveInt(DEFAULT_MAX_TOKEN_AGE_SECONDS, 86_400).pipe(z.number().min(60)),
    /** HTTP_HEADERS_TIMEOUT_MS, HTTP_REQUEST_TIMEOUT_MS, HTTP_KEEP_ALIVE_TIMEOUT_MS, HTTP_MAX_CONNECTIONS. */
    ...httpServerPolicyShape(),
    // ---
    ...Object.fromEntries(
      subgraphCatalog.map(({ name }) => [
        subgraphUrlVariable(name),
        httpUrl.default(defaultSubgraphUrl(name)),
      ]),
    ),
  };
}

export interface SubgraphTarget {
  name: string;
  url: string;
  /**
   * Not one of Flow's subgraphs (SUBGRAPH_URLS=supergraph): sent no batches, not asked for
   * /health/ready or live-update streams, which only Flow's subgraph kit serves.
   */
  foreign?: boolean;
}

export interface RouterConfig {
  flowEnv: 'development' | 'test' | 'production';
  production: boolean;
  logLevel: string;
  port: number;
  host: string;
  supergraphPath: string;
  /** SUBGRAPH_URLS: where the supergraph's subgraphs are (`subgraphs` or the file's join__graph URLs). */
  subgraphUrls: (typeof SUBGRAPH_URL_SOURCES)[number];
  /** Flow's catalog at `<NAME>_URL`; users there also serves token keys and the suspension list. */
  subgraphs: SubgraphTarget[];
  jwt: Required<JwksOptions>;
  signingSecret: string;
  /** Server timeouts and connection cap (HTTP_*). */
  http: HttpServerPolicy;
  limits: { maxBodyBytes: number; maxTokens: number } & OperationBudget;
  subgraphTimeoutMs: number;
  placeOrderTimeoutMs: number;
  suspensionRefreshMs: number;
  shutdownGraceMs: number;
  wsConnectionInitTimeoutMs: number;
  /** Bound of the live transports' parsed-document cache, in estimated bytes. */
  subscriptionCacheMaxBytes: number;
  trustProxy: boolean | number | string | undefined;
  corsOrigins: string[];
  /** EXPLORER (or SANDBOX); also turns introspection on in production. */
  explorer: boolean;
  /** QUERY_PLAN_LEVELS: plans levelled so parallel branches' calls to one subgraph are batched. */
  queryPlanLevels: boolean;
  /** Sign-in attempts per client address per sliding minute; 0: not throttled. */
  signInRateLimitPerMinute: number;
  /** Redis for shared rate-limit counters; null: in-process counters. */
  redis: { url: string; keyPrefix: string } | null;
  rateLimits: RateLimitSettings;
  caps: CapLimits;
  trustedDocuments: { dir: string; defaultMode: DocumentsMode };
  apq: ApqSettings;
}

type Parsed = z.infer<z.ZodObject<ReturnType<typeof routerShape>>>;

function toConfig(env: Parsed & Record<string, unknown>): RouterConfig {
  const subgraphs = subgraphCatalog.map(({ name }) => ({
    name,
    url: String(env[subgraphUrlVariable(name)]),
  }));
  const users = subgraphs.find((s) => s.name === 'users');
  const trust = env.TRUST_PROXY;
  return {
    flowEnv: env.FLOW_ENV,
    production: env.FLOW_ENV === 'production',
    logLevel: env.LOG_LEVEL,
    port: env.PORT,
    host: env.HOST,
    supergraphPath: env.SUPERGRAPH_PATH,
    subgraphUrls: env.SUBGRAPH_URLS,
    subgraphs,
    jwt: jwksOptionsFromEnv(env, users?.url ?? defaultSubgraphUrl('users')),
    http: httpServerPolicyFromEnv(env),
    signingSecret: env.INTERNAL_SIGNING_SECRET,
    limits: {
      maxBodyBytes: env.MAX_REQUEST_BODY_BYTES,
      maxDepth: env.MAX_QUERY_DEPTH,
      maxAliases: env.MAX_QUERY_ALIASES,
      maxTokens: env.MAX_QUERY_TOKENS,
      maxSelections: env.MAX_QUERY_SELECTIONS,
      maxFragmentSpreads: env.MAX_QUERY_FRAGMENT_SPREADS,
      maxDirectives: env.MAX_QUERY_DIRECTIVES,
      maxCost: env.MAX_QUERY_COST,
      defaultListSize: env.QUERY_COST_DEFAULT_LIST_SIZE,
    },
    subgraphTimeoutMs: env.SUBGRAPH_TIMEOUT_MS,
    placeOrderTimeoutMs: env.PLACE_ORDER_TIMEOUT_MS,
    suspensionRefreshMs: env.SUSPENSION_REFRESH_MS,
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
    wsConnectionInitTimeoutMs: env.WS_CONNECTION_INIT_TIMEOUT_MS,
    subscriptionCacheMaxBytes: env.SUBSCRIPTION_CACHE_MAX_BYTES,
    trustProxy:
      trust === undefined
        ? undefined
        : trust === 'true'
          ? true
          : trust === 'false'
            ? false
            : /^\d+$/.test(trust)
              ? Number(trust)
              : trust,
    corsOrigins: env.CORS_ORIGINS.split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
    explorer: env.EXPLORER ?? env.SANDBOX ?? env.FLOW_ENV !== 'production',
    queryPlanLevels: env.QUERY_PLAN_LEVELS ?? true,
    signInRateLimitPerMinute: env.LOGIN_RATE_LIMIT_PER_MINUTE,
    redis: env.REDIS_URL ? { url: env.REDIS_URL, keyPrefix: env.REDIS_KEY_PREFIX } : null,
    rateLimits: {
      userPerMinute: env.RATE_LIMIT_USER_POINTS_PER_MINUTE,
      clientPerMinute: env.RATE_LIMIT_CLIENT_POINTS_PER_MINUTE,
      organizationPerMinute: env.RATE_LIMIT_ORGANIZATION_POINTS_PER_MINUTE,
      addressPerMinute: env.RATE_LIMIT_ADDRESS_POINTS_PER_MINUTE,
      anonymousPerMinute: env.RATE_LIMIT_ANONYMOUS_POINTS_PER_MINUTE,
      burstSeconds: env.RATE_LIMIT_BURST_SECONDS,
      leasePercent: env.RATE_LIMIT_LEASE_PERCENT,
      trusted: parseTrustedClients(env.RATE_LIMIT_TRUSTED),
    },
    trustedDocuments: { dir: env.TRUSTED_DOCUMENTS_DIR, defaultMode: env.TRUSTED_DOCUMENTS_DEFAULT_MODE },
    apq: {
      ttlSeconds: env.APQ_TTL_SECONDS,
      maxEntryBytes: env.APQ_MAX_ENTRY_BYTES,
      maxBytes: env.APQ_CACHE_MAX_BYTES,
    },
    caps: {
      subscriptionsPerSocket: env.MAX_SUBSCRIPTIONS_PER_SOCKET,
      subscriptionsPerUser: env.MAX_SUBSCRIPTIONS_PER_USER,
      documentsPerUser: env.MAX_SUBSCRIPTION_DOCUMENTS_PER_USER,
      socketsPerUser: env.MAX_SOCKETS_PER_USER,
      streamsPerUser: env.MAX_SSE_STREAMS_PER_USER,
      anonymousSocketsPerAddress: env.MAX_ANONYMOUS_SOCKETS_PER_ADDRESS,
    },
  };
}

const isProduction = (source: NodeJS.ProcessEnv) => source.FLOW_ENV === 'production';

/** With SUBGRAPH_URLS=supergraph, every join__graph URL of the file must be one the router can call. */
function subgraphUrlProblems(env: Parsed): string[] {
  if (env.SUBGRAPH_URLS !== 'supergraph') return [];
  return supergraphFileSubgraphs(env.SUPERGRAPH_PATH)
    .filter(({ url }) => !httpUrl.safeParse(url).success)
    .map(
      ({ name, url }) =>
        `SUPERGRAPH_PATH: subgraph ${name}'s join__graph URL "${url}" is not an http(s) URL (SUBGRAPH_URLS=supergraph)`,
    );
}

/** Problems no single variable shows: the HTTP server policy's, and the supergraph's URLs. */
const crossProblems = (env: Parsed) => [...httpServerPolicyProblems(env), ...subgraphUrlProblems(env)];

/** The variables the router reads given `source` (production requires more of them). */
export const routerEnvironmentShape = (source: NodeJS.ProcessEnv) => routerShape(isProduction(source));

/** Parses the router's configuration; throws InvalidEnvironmentError naming every bad variable. */
export function parseRouterConfig(source: NodeJS.ProcessEnv = process.env): RouterConfig {
  const env = parseEnvironment('router', routerShape(isProduction(source)), source) as Parsed &
    Record<string, unknown>;
  const problems = crossProblems(env);
  if (problems.length) throw new InvalidEnvironmentError('router', problems);
  return toConfig(env);
}

/** For the process entry: prints every bad variable and exits non-zero. */
export function loadRouterConfig(source: NodeJS.ProcessEnv = process.env): RouterConfig {
  const env = loadEnvironmentOrExit('router', routerShape(isProduction(source)), source) as Parsed &
    Record<string, unknown>;
  const problems = crossProblems(env);
  if (problems.length) {
    process.stderr.write(`${new InvalidEnvironmentError('router', problems).message}\n`);
    process.exit(1);
  }
  return toConfig(env);
}
