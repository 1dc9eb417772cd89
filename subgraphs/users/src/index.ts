// The public API of the users subgraph: what other workspaces (scripts, tests, the platform) use.
export { startUsersApp, type UsersApp, type UsersAppOptions } from './app';
export { DEVELOPMENT_ADMIN, demoAccounts } from './bootstrap';
export { parseUsersEnvironment, usersEnvironmentShape, type UsersEnvironment } from './env';
// The generated client, for tests of the migration tooling against the users schema.
export { PrismaClient as UsersPrismaClient } from './generated/prisma/client';
export {
  createSigningKey,
  parseKeySet,
  pruneRetiredKeys,
  rotate,
  type SigningKeySet,
  type StoredSigningKey,
} from './keys/signing-keys';
export { buildUsersSchema } from './subgraph';
