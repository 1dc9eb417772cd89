// Produces every generated file: the Prisma clients (prisma generate, which here must not try to
// download its native engine: it does not run it for `generate`) and the typed resolvers.
// Runs on `npm install`/`npm ci` and as `npm run generate [subgraph]`.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv[2];
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
  CHECKPOINT_DISABLE: '1',
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  APOLLO_TELEMETRY_DISABLED: '1',
  // codegen.ts imports the catalog from @flow/core: read its sources (nothing is built at install).
  NODE_OPTIONS: [process.env.NODE_OPTIONS, '--conditions=flow-source'].filter(Boolean).join(' '),
};
const bin = (name) => join(root, 'node_modules', '.bin', name);
if (!existsSync(bin('prisma')) || !existsSync(bin('graphql-codegen'))) {
  // A production install without dev dependencies: the build output (dist/generated) carries what
  // this would generate. npm may still install the prisma CLI there: it is an optional peer of
  // @prisma/client, which --omit=dev keeps.
  console.log('generate: prisma CLI or graphql-codegen not installed (production install), skipping');
  process.exit(0);
}
for (const subgraph of readdirSync(join(root, 'prisma'))) {
  if (only && subgraph !== only) continue;
  const schema = join(root, 'prisma', subgraph, 'schema.prisma');
  if (!existsSync(schema)) continue;
  execFileSync(bin('prisma'), ['generate', '--schema', schema], {
    cwd: root,
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
execFileSync(bin('graphql-codegen'), ['--config', 'codegen.ts'], { cwd: root, env, stdio: 'inherit' });
console.log('generate: prisma clients and resolver types are up to date');
