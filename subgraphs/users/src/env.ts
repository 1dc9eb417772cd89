import { join } from 'node:path';
import {
  booleanSchema,
  httpServerPolicyFromEnv,
  httpServerPolicyProblems,
  flowEnvSchema,
  loadEnvironmentOrExit,
  logLevelSchema,
  parseEnvironment,
  portSchema,
  subgraphCatalog,
  subgraphUrlVariable,
  z,
} from '@flow/core';
import {
  deadlineEnvironmentShape,
  subgraphEnvironmentShape,
  type SubgraphKitConfig,
} from '@flow/subgraph-kit';
import { publicPasswordAccounts } from './demo-accounts';

const isPublicPassword = (password: string) =>
  publicPasswordAccounts.some((account) => account.password === password);

const repositoryRoot = join(__dirname, '..', '..', '..');
const DEV_ROUTER_SECRET = 'flow-development-router-signing-secret';
/** The variables users shares with the other subgraphs: those of domain events. */
const common = subgraphEnvironmentShape('users', 8001);

export const usersEnvironmentShape = {
  FLOW_ENV: flowEnvSchema,
  LOG_LEVEL: logLevelSchema,
  PORT: portSchema(8001),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z.string().url().optional(),
  USERS_DATABASE_URL: z.string().url().optional(),
  FLOW_DATA_DIR: z.string().default(join(repositoryRoot, '.flow-data')),
  JWT_ISSUER: z.string().min(1).default('urn:flow:users'),
  JWT_AUDIENCE: z.string().min(1).default('urn:flow:api'),
  VERIFIED_TOKEN_CACHE_SIZE: common.VERIFIED_TOKEN_CACHE_SIZE,
  /** A JSON key set (see keys/signing-keys.ts); when unset the key file in the data folder is used. */
  JWT_SIGNING_KEYS: z.string().optional(),
  JWT_SIGNING_KEYS_FILE: z.string().optional(),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(900),
  /** Partner (client credentials) access tokens: short, so a rotated-away secret's tokens end soon. */
  PARTNER_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(600),
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  ROUTER_SIGNING_SECRET: z.string().min(16).default(DEV_ROUTER_SECRET),
  FLOW_ADMIN_EMAIL: z.string().email().optional(),
  FLOW_ADMIN_PASSWORD: z.string().min(12).optional(),
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  LOGIN_LOCKOUT_BASE_SECONDS: z.coerce.number().int().min(1).default(30),
  LOGIN_LOCKOUT_MAX_SECONDS: z.coerce.number().int().min(1).default(3600),
  /** Failed sign-ins on one email from all addresses per window; then RATE_LIMITED (README "Security"). */
  LOGIN_ACCOUNT_FAILURES_PER_WINDOW: z.coerce.number().int().min(1).max(10_000).default(20),
  LOGIN_ACCOUNT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  LOGIN_TRUSTED_ADDRESS_DAYS: z.coerce.number().int().min(0).max(365).default(30),
  /** log2 of scrypt's cost N; 15 (32768) takes about 100 ms here. Never below 14. */
  PASSWORD_SCRYPT_LOG2_COST: z.coerce.number().int().min(14).max(20).default(15),
  /** Password derivations at a time (each holds 32 MB at the default cost); the rest wait. */
  PASSWORD_HASH_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
  SEED_DEMO_DATA: booleanSchema(false),
  /** Domain events through RabbitMQ; unset: pushed over HTTP to the consumers at their *_URL. */
  AMQP_URL: common.AMQP_URL,
  EVENTS_EXCHANGE: common.EVENTS_EXCHANGE,
  EVENTS_QUEUE_PREFIX: common.EVENTS_QUEUE_PREFIX,
  OUTBOX_INTERVAL_MS: common.OUTBOX_INTERVAL_MS,
  /** users reads its own table for the suspension list it enforces (and serves to the others). */
  SUSPENSION_REFRESH_MS: common.SUSPENSION_REFRESH_MS,
  /** Token age, request deadline, statement_timeout and HTTP server policy, as every subgraph. */
  ...deadlineEnvironmentShape(),
  ...Object.fromEntries(
    subgraphCatalog.map((s) => [
      subgraphUrlVariable(s.name),
      (common as Record<string, z.ZodType>)[subgraphUrlVariable(s.name)]!,
    ]),
  ),
};

export type UsersEnvironment = z.infer<z.ZodObject<typeof usersEnvironmentShape>>;

/** Rules that span variables: production refuses development defaults. */
export function checkProductionRules(env: UsersEnvironment): string[] {
  const problems: string[] = [...httpServerPolicyProblems(env)];
  // Tokens users mints must pass the age check everywhere they are verified.
  if (env.ACCESS_TOKEN_TTL_SECONDS > env.MAX_TOKEN_AGE_SECONDS)
    problems.push('ACCESS_TOKEN_TTL_SECONDS: must not be above MAX_TOKEN_AGE_SECONDS');
  if (env.PARTNER_TOKEN_TTL_SECONDS > env.MAX_TOKEN_AGE_SECONDS)
    problems.push('PARTNER_TOKEN_TTL_SECONDS: must not be above MAX_TOKEN_AGE_SECONDS');
  if (env.FLOW_ENV !== 'production') return problems;
  if (env.ROUTER_SIGNING_SECRET === DEV_ROUTER_SECRET || env.ROUTER_SIGNING_SECRET.length < 32)
    problems.push('ROUTER_SIGNING_SECRET: production needs its own secret of at least 32 characters');
  if (!env.FLOW_ADMIN_EMAIL) problems.push('FLOW_ADMIN_EMAIL: required in production');
  if (!env.FLOW_ADMIN_PASSWORD) problems.push('FLOW_ADMIN_PASSWORD: required in production');
  else if (isPublicPassword(env.FLOW_ADMIN_PASSWORD))
    problems.push('FLOW_ADMIN_PASSWORD: is a development or demo password printed in the README');
  if (env.SEED_DEMO_DATA)
    problems.push('SEED_DEMO_DATA: production refuses demo accounts (their passwords are public)');
  if (!env.JWT_SIGNING_KEYS && !env.JWT_SIGNING_KEYS_FILE)
    problems.push('JWT_SIGNING_KEYS: production needs configured signing keys (or JWT_SIGNING_KEYS_FILE)');
  if (!env.DATABASE_URL && !env.USERS_DATABASE_URL) problems.push('DATABASE_URL: required in production');
  return problems;
}

/** What the kit (startSubgraph) reads of the users environment. */
export function usersKitConfig(env: UsersEnvironment): SubgraphKitConfig {
  return {
    host: env.HOST,
    port: env.PORT,
    production: env.FLOW_ENV === 'production',
    routerSecret: env.ROUTER_SIGNING_SECRET,
    http: httpServerPolicyFromEnv(env),
    maxDeadlineMs: env.REQUEST_DEADLINE_MAX_MS,
    databaseUrl: env.DATABASE_URL,
    ownDatabaseUrl: env.USERS_DATABASE_URL,
    statementTimeoutMs: env.DB_STATEMENT_TIMEOUT_MS,
    // users publishes no live updates.
    redis: null,
    events: {
      amqpUrl: env.AMQP_URL ?? null,
      exchange: env.EVENTS_EXCHANGE,
      queuePrefix: env.EVENTS_QUEUE_PREFIX,
      outboxIntervalMs: env.OUTBOX_INTERVAL_MS,
    },
    /** URL of every subgraph's /graphql, by name: without a broker, events are pushed to consumers. */
    subgraphUrls: Object.fromEntries(
      // zod's inferred type drops the computed *_URL keys; parsing filled every one in.
      subgraphCatalog.map((s) => [
        s.name,
        String((env as Record<string, unknown>)[subgraphUrlVariable(s.name)]),
      ]),
    ),
  };
}

export function parseUsersEnvironment(source: NodeJS.ProcessEnv): UsersEnvironment {
  const env = parseEnvironment('users', usersEnvironmentShape, source);
  const problems = checkProductionRules(env);
  if (problems.length)
    throw new Error(`users: invalid configuration\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return env;
}

export function loadUsersEnvironment(): UsersEnvironment {
  const env = loadEnvironmentOrExit('users', usersEnvironmentShape);
  const problems = checkProductionRules(env);
  if (problems.length) {
    process.stderr.write(`users: invalid configuration\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
    process.exit(1);
  }
  return env;
}
