import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import {
  appendFile,
  chmod,
  cp,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  rename,
  rm,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createPgAdapter, subgraphDatabase } from '@flow/subgraph-kit';
import { startEmbeddedPostgres } from '@flow/dev-tools';
import {
  applyMigrations,
  dropSchema,
  migrationChecksum,
  quoteIdentifier,
  readMigrations,
} from '@flow/subgraph-kit';
import { compareCatalogs, describeSchema } from '../lib/catalog';
import { diffDatamodels, prismaMigrationStatus } from '../lib/schema-engine';
import { PRISMA_DIR, prismaSubgraphs } from '../migrate';
import { createMigration, SNAPSHOT_FILE } from '../new-migration';

const DATABASE_URL = process.env.TEST_DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/test';
const USERS_MIGRATIONS = join(PRISMA_DIR, 'users', 'migrations');

// Every test gets its own schemas and folders, dropped afterwards, so runs never see each other.
let scratch: string[] = [];
let tempDirs: string[] = [];
function scratchSchema(label: string): string {
  const name = `scratch_${label}_${randomBytes(4).toString('hex')}`;
  scratch.push(name);
  return name;
}
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'flow-migrations-'));
  tempDirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(scratch.map((schema) => dropSchema(DATABASE_URL, schema)));
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  scratch = [];
  tempDirs = [];
});

async function query<T extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/** What a schema.prisma describes, built straight from the engine's SQL for an empty database. */
async function buildFromDatamodel(datamodelFile: string, schema: string): Promise<void> {
  const sql = await diffDatamodels(null, await readFile(datamodelFile, 'utf8'));
  const s = quoteIdentifier(schema);
  await query(`CREATE SCHEMA ${s}; BEGIN; SET LOCAL search_path TO ${s}; ${sql ?? ''}; COMMIT;`);
}

async function migrate(schema: string, migrationsDir = USERS_MIGRATIONS) {
  return applyMigrations({ connectionString: DATABASE_URL, schema, migrationsDir });
}

/** A writable copy of the users migrations, to edit without touching the real ones. */
async function copyOfUsersMigrations(): Promise<string> {
  const dir = join(await tempDir(), 'migrations');
  await cp(USERS_MIGRATIONS, dir, { recursive: true });
  return dir;
}

/** Builds one scratch schema from the migrations and one from the datamodel, and compares them. */
async function driftBetween(migrationsDir: string, datamodelFile: string): Promise<string[]> {
  const fromMigrations = scratchSchema('from_migrations');
  const fromDatamodel = scratchSchema('from_datamodel');
  await migrate(fromMigrations, migrationsDir);
  await buildFromDatamodel(datamodelFile, fromDatamodel);
  return compareCatalogs(
    await describeSchema(DATABASE_URL, fromMigrations),
    await describeSchema(DATABASE_URL, fromDatamodel),
  );
}

/**
 * Facts that hand-written migrations add and schema.prisma cannot express (CHECK constraints),
 * listed in prisma/<subgraph>/drift-allowlist.txt: the check still fails if one goes missing.
 */
async function allowedExtras(subgraph: string): Promise<string[]> {
  const file = join(PRISMA_DIR, subgraph, 'drift-allowlist.txt');
  if (!existsSync(file)) return [];
  return (await readFile(file, 'utf8'))
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((fact) => `- ${fact}`);
}

describe('drift: the migrations build exactly what schema.prisma describes', () => {
  test.each(prismaSubgraphs())('%s', async (subgraph) => {
    const migrationsDir = join(PRISMA_DIR, subgraph, 'migrations');
    expect(existsSync(migrationsDir)).toBe(true);
    const allowed = await allowedExtras(subgraph);
    const all = await driftBetween(migrationsDir, join(PRISMA_DIR, subgraph, 'schema.prisma'));
    const missing = allowed
      .filter((fact) => !all.includes(fact))
      .map((fact) => `missing allowed ${fact.slice(2)}`);
    const differences = [...all.filter((line) => !allowed.includes(line)), ...missing];
    if (differences.length > 0) {
      throw new Error(
        `prisma/${subgraph}: the migrations and schema.prisma differ ` +
          `("-" only from the migrations, "+" only from schema.prisma):\n${differences.join('\n')}\n` +
          `Run: npm run migration:new -- ${subgraph} <name>`,
      );
    }
  });

  test('a deliberately altered migration set is reported', async () => {
    const migrationsDir = await copyOfUsersMigrations();
    const [last] = (await readMigrations(migrationsDir)).slice(-1);
    await appendFile(
      join(migrationsDir, last!.name, 'migration.sql'),
      `
DROP INDEX "users_email_key";
ALTER TABLE "refresh_tokens" ADD COLUMN "note" TEXT;
ALTER TABLE "login_address_throttles" ALTER COLUMN "failures" DROP DEFAULT;
ALTER TABLE "login_attempts" DROP CONSTRAINT "login_attempts_user_id_fkey";
ALTER TABLE "login_attempts" ADD CONSTRAINT "login_attempts_user_id_fkey"
  FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TYPE "Role" ADD VALUE 'AUDITOR';
`,
    );
    const differences = await driftBetween(migrationsDir, join(PRISMA_DIR, 'users', 'schema.prisma'));
    const text = differences.join('\n');
    expect(text).toMatch(/^\+ index users\.users_email_key /m);
    expect(text).toMatch(/^- column refresh_tokens\.note text$/m);
    expect(text).toMatch(/^\+ column login_address_throttles\.failures integer NOT NULL DEFAULT 0$/m);
    expect(text).toMatch(/^- constraint login_attempts\.login_attempts_user_id_fkey .*ON DELETE CASCADE/m);
    expect(text).toMatch(/^\+ constraint login_attempts\.login_attempts_user_id_fkey .*ON DELETE SET NULL/m);
    expect(text).toMatch(/^- enum Role \(.*AUDITOR/m);
  });
});

describe('applyMigrations', () => {
  test('applies each migration once, recorded as prisma migrate deploy records it', async () => {
    const schema = scratchSchema('twice');
    const names = (await readMigrations(USERS_MIGRATIONS)).map((m) => m.name);
    expect(names.length).toBeGreaterThan(0);

    expect(await migrate(schema)).toEqual({ schema, applied: names });
    expect(await migrate(schema)).toEqual({ schema, applied: [] });

    // Prisma's own code (what `prisma migrate status` runs) finds the history complete and clean.
    expect(
      await prismaMigrationStatus({
        connectionString: DATABASE_URL,
        schema,
        migrationsDir: USERS_MIGRATIONS,
      }),
    ).toEqual({
      editedMigrationNames: [],
      failedMigrationNames: [],
      hasMigrationsTable: true,
      history: null,
    });

    const rows = await query<Record<string, unknown>>(
      `SELECT * FROM ${quoteIdentifier(schema)}._prisma_migrations ORDER BY started_at`,
    );
    expect(rows.map((row) => row.migration_name)).toEqual(names);
    for (const row of rows) {
      const sql = await readFile(join(USERS_MIGRATIONS, String(row.migration_name), 'migration.sql'));
      expect(row).toMatchObject({ checksum: migrationChecksum(sql), logs: null, rolled_back_at: null });
      expect(row).toMatchObject({ applied_steps_count: 1 });
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
    }
    // Prisma's own table definition, column for column.
    const columns = await query(
      `SELECT column_name, data_type, character_maximum_length AS length, is_nullable, column_default
       FROM information_schema.columns WHERE table_schema = $1 AND table_name = '_prisma_migrations'
       ORDER BY ordinal_position`,
      [schema],
    );
    expect(columns).toEqual([
      {
        column_name: 'id',
        data_type: 'character varying',
        length: 36,
        is_nullable: 'NO',
        column_default: null,
      },
      {
        column_name: 'checksum',
        data_type: 'character varying',
        length: 64,
        is_nullable: 'NO',
        column_default: null,
      },
      {
        column_name: 'finished_at',
        data_type: 'timestamp with time zone',
        length: null,
        is_nullable: 'YES',
        column_default: null,
      },
      {
        column_name: 'migration_name',
        data_type: 'character varying',
        length: 255,
        is_nullable: 'NO',
        column_default: null,
      },
      { column_name: 'logs', data_type: 'text', length: null, is_nullable: 'YES', column_default: null },
      {
        column_name: 'rolled_back_at',
        data_type: 'timestamp with time zone',
        length: null,
        is_nullable: 'YES',
        column_default: null,
      },
      {
        column_name: 'started_at',
        data_type: 'timestamp with time zone',
        length: null,
        is_nullable: 'NO',
        column_default: 'now()',
      },
      {
        column_name: 'applied_steps_count',
        data_type: 'integer',
        length: null,
        is_nullable: 'NO',
        column_default: '0',
      },
    ]);
  });

  test('refuses a migration file changed after it was applied', async () => {
    const schema = scratchSchema('changed');
    const migrationsDir = await copyOfUsersMigrations();
    const [first] = await readMigrations(migrationsDir);
    await migrate(schema, migrationsDir);
    await appendFile(join(migrationsDir, first!.name, 'migration.sql'), '\n-- an innocent-looking edit\n');
    await expect(migrate(schema, migrationsDir)).rejects.toThrow(
      new RegExp(`migration ${first!.name} was changed after it was applied`),
    );
    // Prisma sees the same edit, so both compute the checksum alike.
    const status = await prismaMigrationStatus({ connectionString: DATABASE_URL, schema, migrationsDir });
    expect(status.editedMigrationNames).toEqual([first!.name]);
  });

  test('refuses when an applied migration folder is missing', async () => {
    const schema = scratchSchema('missing');
    const migrationsDir = await copyOfUsersMigrations();
    const [first] = await readMigrations(migrationsDir);
    await migrate(schema, migrationsDir);
    await rename(join(migrationsDir, first!.name), join(await tempDir(), first!.name));
    await expect(migrate(schema, migrationsDir)).rejects.toThrow(
      new RegExp(`migration ${first!.name} is applied .* but missing`),
    );
  });

  test('refuses while a failed migration is recorded', async () => {
    const schema = scratchSchema('failed');
    await migrate(schema);
    await query(
      `INSERT INTO ${quoteIdentifier(schema)}._prisma_migrations (id, checksum, migration_name, logs)
       VALUES (gen_random_uuid(), 'x', '29990101000000_broken', 'syntax error at or near "oops"')`,
    );
    await expect(migrate(schema)).rejects.toThrow(/failed migrations[\s\S]*29990101000000_broken[\s\S]*oops/);
  });

  test('a failing migration leaves nothing behind and names itself', async () => {
    const schema = scratchSchema('rollback');
    const migrationsDir = await copyOfUsersMigrations();
    await mkdir(join(migrationsDir, '29990101000000_bad'));
    await writeFile(
      join(migrationsDir, '29990101000000_bad', 'migration.sql'),
      'CREATE TABLE "half_done" ("id" INTEGER);\nSELECT no_such_function();\n',
    );
    await expect(migrate(schema, migrationsDir)).rejects.toThrow(/migration 29990101000000_bad failed/);
    const tables = await query(`SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'half_done'`, [
      schema,
    ]);
    expect(tables).toEqual([]);
    const history = await query<{ migration_name: string }>(
      `SELECT migration_name FROM ${quoteIdentifier(schema)}._prisma_migrations`,
    );
    expect(history.map((row) => row.migration_name)).not.toContain('29990101000000_bad');
  });

  test('two processes starting at once apply each migration exactly once', async () => {
    const schema = scratchSchema('concurrent');
    const migrationsDir = await copyOfUsersMigrations();
    // A slow second migration widens the window in which the other caller could slip in.
    await mkdir(join(migrationsDir, '29990101000000_slow'));
    await writeFile(
      join(migrationsDir, '29990101000000_slow', 'migration.sql'),
      'SELECT pg_sleep(0.3);\nCREATE TABLE "slow" ("id" INTEGER PRIMARY KEY);\n',
    );
    const names = (await readMigrations(migrationsDir)).map((m) => m.name);

    const results = await Promise.all([migrate(schema, migrationsDir), migrate(schema, migrationsDir)]);
    expect(results.flatMap((r) => r.applied).sort()).toEqual(names);
    const history = await query<{ migration_name: string }>(
      `SELECT migration_name FROM ${quoteIdentifier(schema)}._prisma_migrations ORDER BY migration_name`,
    );
    expect(history.map((row) => row.migration_name)).toEqual(names);
  });
});

describe('createPgAdapter', () => {
  test('the users Prisma client reads and writes in the subgraph schema', async () => {
    const schema = scratchSchema('prisma');
    const database = subgraphDatabase('users', { databaseUrl: `${DATABASE_URL}?schema=${schema}` });
    expect(database).toEqual({ connectionString: DATABASE_URL, schema });
    await migrate(schema);

    // Loaded here, not at the top: a missing generated client fails this test only.
    const { UsersPrismaClient: PrismaClient } = require('@flow/users') as typeof import('@flow/users');
    const prisma = new PrismaClient({ adapter: createPgAdapter(database) });
    try {
      const organization = await prisma.organization.create({
        data: { name: 'St. Mary', kind: 'HOSPITAL', status: 'ACTIVE' },
      });
      await prisma.user.create({
        data: {
          organizationId: organization.id,
          email: 'nurse@example.org',
          name: 'Nurse',
          role: 'HOSPITAL_STAFF',
          passwordHash: 'x',
        },
      });
      const found = await prisma.organization.findUniqueOrThrow({
        where: { id: organization.id },
        include: { users: true },
      });
      expect(found.users.map((user) => user.role)).toEqual(['HOSPITAL_STAFF']);
      // Unqualified raw SQL lands in the same schema (search_path).
      const [count] = await prisma.$queryRawUnsafe<{ n: number }[]>('SELECT count(*)::int AS n FROM users');
      expect(count?.n).toBe(1);
    } finally {
      await prisma.$disconnect();
    }
    const rows = await query(`SELECT email FROM ${quoteIdentifier(schema)}.users`);
    expect(rows).toEqual([{ email: 'nurse@example.org' }]);
  });

  test('a subgraph URL wins over DATABASE_URL, and the schema defaults to the subgraph name', () => {
    expect(
      subgraphDatabase('orders', {
        databaseUrl: 'postgresql://shared@db/flow?schema=ignored',
        ownUrl: 'postgresql://own@db/orders?sslmode=require',
      }),
    ).toEqual({ connectionString: 'postgresql://own@db/orders?sslmode=require', schema: 'orders' });
  });
});

describe('migration:new', () => {
  test('writes the SQL for a schema.prisma change, which then shows no drift', async () => {
    const subgraphDir = join(await tempDir(), 'users');
    await cp(join(PRISMA_DIR, 'users'), subgraphDir, { recursive: true });
    const schemaFile = join(subgraphDir, 'schema.prisma');
    const datamodel = (await readFile(schemaFile, 'utf8')).replace(
      /(model LoginAttempt \{\n)/,
      '$1  userAgent String? @map("user_agent")\n',
    );
    await writeFile(schemaFile, datamodel);
    const newest = (await readMigrations(join(subgraphDir, 'migrations'))).at(-1)!.name;

    // A clock behind the newest migration still sorts the new one last.
    const created = await createMigration({
      subgraphDir,
      name: 'Add user-agent',
      now: new Date('2000-01-01'),
    });
    expect(created.folder).toBe(
      join(subgraphDir, 'migrations', `${BigInt(newest.slice(0, 14)) + 1n}_add_user_agent`),
    );
    expect(created.sql).toMatch(
      /^-- AlterTable\nALTER TABLE "login_attempts" ADD COLUMN\s+"user_agent" TEXT;\n$/,
    );
    expect(await readFile(join(created.folder!, SNAPSHOT_FILE), 'utf8')).toBe(datamodel);

    expect(await createMigration({ subgraphDir, name: 'again' })).toEqual({ folder: null, sql: null });
    expect(await driftBetween(join(subgraphDir, 'migrations'), schemaFile)).toEqual([]);
  });
});

describe('schema engine', () => {
  test('says there is nothing to do when the datamodels match', async () => {
    const datamodel = await readFile(join(PRISMA_DIR, 'users', 'schema.prisma'), 'utf8');
    expect(await diffDatamodels(datamodel, datamodel)).toBeNull();
  });
});

describe('embedded Postgres', () => {
  test('starts, keeps its port across a restart, and survives a stale postmaster.pid', async () => {
    const parent = await tempDir();
    // mkdtemp makes a 0700 folder; the server runs as the `postgres` user and must get through it.
    await chmod(parent, 0o755);
    const dataDir = join(parent, 'postgres');
    const timings: Record<string, number> = {};
    const select = async (url: string) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query<{ v: string }>('SELECT version() AS v')).rows[0]?.v;
      } finally {
        await client.end();
      }
    };

    let started = Date.now();
    const first = await startEmbeddedPostgres({ dataDir });
    timings.firstStartMs = Date.now() - started;
    expect(first.port).not.toBe(5432);
    expect(await select(first.connectionString)).toMatch(/^PostgreSQL 18/);
    await first.stop();

    // What a SIGKILLed run whose server also died leaves behind: a pid file naming nobody.
    const cluster = join(dataDir, 'cluster');
    expect(await readdir(cluster)).not.toContain('postmaster.pid');
    await writeFile(join(cluster, 'postmaster.pid'), `999999\n${cluster}\n`);

    started = Date.now();
    const second = await startEmbeddedPostgres({ dataDir });
    timings.restartMs = Date.now() - started;
    try {
      expect(second.connectionString).toBe(first.connectionString);
      expect(await select(second.connectionString)).toMatch(/^PostgreSQL 18/);
    } finally {
      await second.stop();
    }
    process.stdout.write(`embedded Postgres: ${JSON.stringify(timings)}\n`);
  });
});
