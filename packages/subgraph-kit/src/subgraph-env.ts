import { DEFAULT_STATEMENT_TIMEOUT_MS, subgraphDatabaseUrlVariable } from './db/database-url';
import { DEFAULT_EVENTS_EXCHANGE } from '@flow/messaging';
import {
  flowEnvSchema,
  InvalidEnvironmentError,
  logLevelSchema,
  parseEnvironment,
  portSchema,
  z,
} from '@flow/core';
import { DEFAULT_MAX_TOKEN_AGE_SECONDS, jwksOptionsFromEnv, type JwksOptions } from '@flow/core';
import { DEFAULT_SUSPENSION_REFRESH_MS } from '@flow/core';
import { DEFAULT_MAX_REQUEST_DEADLINE_MS } from './http/request-deadline';
import {
  httpServerPolicyFromEnv,
  httpServerPolicyProblems,
  httpServerPolicyShape,
  type HttpServerPolicy,
} from '@flow/core';
import { defaultSubgraphUrl, subgraphCatalog, subgraphUrlVariable, type SubgraphCatalog } from '@flow/core';

export const DEVELOPMENT_ROUTER_SECRET = 'flow-development-router-signing-secret';

/** SUSPENSION_REFRESH_MS of every process that verifies tokens (the router too). */
export const suspensionRefreshMsSchema = () =>
  z.coerce.number().int().min(100).max(60_000).default(DEFAULT_SUSPENSION_REFRESH_MS);

/**
 * The variables every subgraph reads (defineSubgraphConfig adds a subgraph's own; users picks
 * some): where it listens, its database, how it verifies tokens (the users JWKS), the router's
 * signing secret and where the other subgraphs are, for the calls it makes to them.
 */
export function subgraphEnvironmentShape(name: string, port: number) {
  return {
    FLOW_ENV: flowEnvSchema,
    LOG_LEVEL: logLevelSchema,
    PORT: portSchema(port),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATABASE_URL: z.string().url().optional(),
    [subgraphDatabaseUrlVariable(name)]: z.string().url().optional(),
    JWT_ISSUER: z.string().min(1).default('urn:flow:users'),
    JWT_AUDIENCE: z.string().min(1).default('urn:flow:api'),
    USERS_JWKS_URL: z.string().url().optional(),
    JWKS_COOLDOWN_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
    JWKS_CACHE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(600),
    /** Verified access tokens remembered per process (core auth/tokens.ts); 0 verifies every call. */
    VERIFIED_TOKEN_CACHE_SIZE: z.coerce.number().int().min(0).max(1_000_000).default(5000),
    ROUTER_SIGNING_SECRET: z.string().min(16).default(DEVELOPMENT_ROUTER_SECRET),
    DEPENDENCY_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(3000),
    /** How often the suspended organizations are reloaded from users (auth/suspensions.ts). */
    SUSPENSION_REFRESH_MS: suspensionRefreshMsSchema(),
    /** Live notifications for the router's subscriptions; unset: in-process, streamed on /events. */
    REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
    REDIS_KEY_PREFIX: z.string().min(1).max(100).default('flow:'),
    /** Domain events through RabbitMQ; unset: pushed over HTTP from producer to consumer subgraphs. */
    AMQP_URL: z.url({ protocol: /^amqps?$/, error: 'must be an amqp:// or amqps:// URL' }).optional(),
    EVENTS_EXCHANGE: z.string().min(1).max(255).default(DEFAULT_EVENTS_EXCHANGE),
    /** How often a producer polls its outbox (commits also wake it at once). */
    EVENTS_QUEUE_PREFIX: z.string().min(1).max(200).default('flow.'),
    OUTBOX_INTERVAL_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
    ...deadlineEnvironmentShape(),
    ...Object.fromEntries(
      subgraphCatalog.map((s) => [
        subgraphUrlVariable(s.name),
        z.string().url().default(defaultSubgraphUrl(s.name)),
      ]),
    ),
  } as const;
}

/** PLATFORM_CURRENCY: the one currency of every price and fee on the platform (ISO 4217). */
export const platformCurrencySchema = () =>
  z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code in capitals, e.g. USD')
    .default('USD');

/** IDEMPOTENCY_KEY_TTL_HOURS: keys are kept at least this long (at least 24 hours, as promised to callers). */
export const idempotencyKeyTtlHoursSchema = () =>
  z.coerce
    .number()
    .int()
    .min(24)
    .max(24 * 365)
    .default(48);

/** Stale caller protection (issue 10): token age, request deadline, database statements, HTTP server. */
export function deadlineEnvironmentShape() {
  return {
    /** Oldest access token accepted (since `iat`), and longest lifetime (`exp - iat`) one may claim. */
    MAX_TOKEN_AGE_SECONDS: z.coerce.number().int().min(60).max(86_400).default(DEFAULT_MAX_TOKEN_AGE_SECONDS),
    /** The longest one request may run here: the default without x-flow-deadline, and its cap. */
    REQUEST_DEADLINE_MAX_MS: z.coerce
      .number()
      .int()
      .min(100)
      .max(600_000)
      .default(DEFAULT_MAX_REQUEST_DEADLINE_MS),
    /** Postgres statement_timeout of every connection (lock waits included); 0 turns it off. */
    DB_STATEMENT_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .min(0)
      .max(3_600_000)
      .default(DEFAULT_STATEMENT_TIMEOUT_MS),
    ...httpServerPolicyShape(),
  } as const;
}

/** The deadline part of a parsed subgraph environment. */
export interface SubgraphDeadlineConfig {
  maxTokenAgeSeconds: number;
  maxDeadlineMs: number;
  statementTimeoutMs: number;
  http: HttpServerPolicy;
}

export function subgraphDeadlineConfig(env: Record<string, unknown>): SubgraphDeadlineConfig {
  return {
    maxTokenAgeSeconds: Number(env.MAX_TOKEN_AGE_SECONDS),
    maxDeadlineMs: Number(env.REQUEST_DEADLINE_MAX_MS),
    statementTimeoutMs: Number(env.DB_STATEMENT_TIMEOUT_MS),
    http: httpServerPolicyFromEnv(env),
  };
}

export interface SubgraphCommonConfig extends SubgraphDeadlineConfig {
  host: string;
  port: number;
  logLevel: string;
  production: boolean;
  databaseUrl: string | undefined;
  ownDatabaseUrl: string | undefined;
  jwt: Required<JwksOptions>;
  routerSecret: string;
  dependencyTimeoutMs: number;
  /** SUSPENSION_REFRESH_MS. */
  suspensionRefreshMs: number;
  /** Redis for live notifications (the same the router reads); null: in-process. */
  redis: { url: string; keyPrefix: string } | null;
  /** URL of every subgraph's /graphql, by name. */
  subgraphUrls: Record<string, string>;
  /** Domain events: RabbitMQ at amqpUrl, or HTTP push between subgraphs when null. */
  events: { amqpUrl: string | null; exchange: string; queuePrefix: string; outboxIntervalMs: number };
}

/** The common part of a parsed subgraph environment, in the shape the platform's helpers take. */
export function subgraphCommonConfig(name: string, env: Record<string, unknown>): SubgraphCommonConfig {
  const subgraphUrls = Object.fromEntries(
    subgraphCatalog.map((s) => [s.name, String(env[subgraphUrlVariable(s.name)])]),
  );
  return {
    host: String(env.HOST),
    port: Number(env.PORT),
    logLevel: String(env.LOG_LEVEL),
    production: env.FLOW_ENV === 'production',
    databaseUrl: env.DATABASE_URL as string | undefined,
    ownDatabaseUrl: env[subgraphDatabaseUrlVariable(name)] as string | undefined,
    jwt: jwksOptionsFromEnv(env, subgraphUrls.users!),
    ...subgraphDeadlineConfig(env),
    routerSecret: String(env.ROUTER_SIGNING_SECRET),
    dependencyTimeoutMs: Number(env.DEPENDENCY_TIMEOUT_MS),
    suspensionRefreshMs: Number(env.SUSPENSION_REFRESH_MS),
    redis: env.REDIS_URL ? { url: String(env.REDIS_URL), keyPrefix: String(env.REDIS_KEY_PREFIX) } : null,
    subgraphUrls,
    events: {
      amqpUrl: env.AMQP_URL ? String(env.AMQP_URL) : null,
      exchange: String(env.EVENTS_EXCHANGE),
      queuePrefix: String(env.EVENTS_QUEUE_PREFIX),
      outboxIntervalMs: Number(env.OUTBOX_INTERVAL_MS),
    },
  };
}

/** Rules that span variables: production refuses development defaults. */
export function subgraphProductionProblems(name: string, env: Record<string, unknown>): string[] {
  if (env.FLOW_ENV !== 'production') return httpServerPolicyProblems(env);
  const problems: string[] = [...httpServerPolicyProblems(env)];
  const secret = String(env.ROUTER_SIGNING_SECRET ?? '');
  if (secret === DEVELOPMENT_ROUTER_SECRET || secret.length < 32) {
    problems.push('ROUTER_SIGNING_SECRET: production needs its own secret of at least 32 characters');
  }
  if (!env.DATABASE_URL && !env[subgraphDatabaseUrlVariable(name)])
    problems.push('DATABASE_URL: required in production');
  return problems;
}

/**
 * Parse and load of a subgraph's configuration (its env.ts exports them as `parse<Name>Config` and
 * `load<Name>Config`): the common configuration plus what `toConfig` makes of the subgraph's own
 * variables, checked by the production rules and `extraProblems` (rules that span variables).
 */
export interface SubgraphConfigReader<Config> {
  /** Parses and checks the environment; throws naming every bad variable (tests use this). */
  parse: (source: NodeJS.ProcessEnv) => Config;
  /** Like parse, but of process.env, printing the problems and exiting non-zero: for server.ts. */
  load: () => Config;
}

export function subgraphConfigReader<Shape extends z.ZodRawShape, Extra extends object = object>(
  name: string,
  shape: Shape,
  toConfig: (env: z.infer<z.ZodObject<Shape>>) => Extra = () => ({}) as Extra,
  extraProblems: (env: z.infer<z.ZodObject<Shape>>) => string[] = () => [],
): SubgraphConfigReader<SubgraphCommonConfig & Extra> {
  const parse = (source: NodeJS.ProcessEnv): SubgraphCommonConfig & Extra => {
    const env = parseEnvironment(name, shape, source);
    const problems = [
      ...subgraphProductionProblems(name, env as Record<string, unknown>),
      ...extraProblems(env),
    ];
    if (problems.length) throw new InvalidEnvironmentError(name, problems);
    return { ...subgraphCommonConfig(name, env as Record<string, unknown>), ...toConfig(env) };
  };
  const load = (): SubgraphCommonConfig & Extra => {
    try {
      return parse(process.env);
    } catch (error) {
      if (!(error instanceof InvalidEnvironmentError)) throw error;
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
  };
  return { parse, load };
}

/** The name of a subgraph in the catalog (packages/core/src/subgraphs.ts). */
export type SubgraphName = SubgraphCatalog[number]['name'];

type CommonShape = ReturnType<typeof subgraphEnvironmentShape>;

/** The common variables and a subgraph's own; one of its own replaces the common one of its name. */
export type SubgraphShape<Variables extends z.ZodRawShape> = {
  [Key in keyof CommonShape as Key extends keyof Variables ? never : Key]: CommonShape[Key];
} & Variables;

/** A subgraph's parsed environment: every common variable and its own. */
export type SubgraphEnvironment<Variables extends z.ZodRawShape> = z.infer<
  z.ZodObject<SubgraphShape<Variables>>
>;

export interface SubgraphConfigDefinition<Variables extends z.ZodRawShape, Own extends object> {
  /** Its catalog name: the default PORT is its catalog port, its own database is <NAME>_DATABASE_URL. */
  name: SubgraphName;
  /** The variables only it reads; one named like a common variable replaces the common rule. */
  variables?: Variables;
  /** Its own part of the configuration, made from the parsed environment. */
  toConfig?: (env: SubgraphEnvironment<Variables>) => Own;
  /** Rules that span its variables, checked with the production rules every subgraph has. */
  problems?: (env: SubgraphEnvironment<Variables>) => string[];
}

/** What a subgraph's env.ts exports: its shape as `<name>EnvironmentShape`, parse and load. */
export interface DefinedSubgraphConfig<
  Variables extends z.ZodRawShape,
  Config,
> extends SubgraphConfigReader<Config> {
  /** Every variable it reads (scripts/test/deployment.test.ts holds docker-compose.yml to it). */
  environmentShape: SubgraphShape<Variables>;
}

/**
 * A subgraph's environment: the common variables plus its own, read into the common configuration
 * plus what `toConfig` makes of them. Its env.ts is then only its variables and that mapping.
 */
export function defineSubgraphConfig<
  Variables extends z.ZodRawShape = Record<never, z.ZodType>,
  Own extends object = object,
>(
  definition: SubgraphConfigDefinition<Variables, Own>,
): DefinedSubgraphConfig<Variables, SubgraphCommonConfig & Own> {
  const { name, variables = {} as Variables, toConfig, problems } = definition;
  const port = subgraphCatalog.find((entry) => entry.name === name)!.port;
  // Own variables last: one named like a common variable replaces it (SubgraphShape says the same).
  const environmentShape: SubgraphShape<Variables> = {
    ...subgraphEnvironmentShape(name, port),
    ...variables,
  };
  return { environmentShape, ...subgraphConfigReader(name, environmentShape, toConfig, problems) };
}
