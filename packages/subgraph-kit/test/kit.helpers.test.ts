// The kit's small helpers: batching loaders, database error kinds, jobs.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { databaseErrorKind, isUniqueViolation, translateDatabaseError } from '../src/kit/database-errors';
import { startJobs } from '../src/kit/jobs';
import { batchGroupLoader, batchLoader, rowsByColumnLoader } from '../src/kit/loaders';
import { TEST_DATABASE_URL, capturingLogger, until } from '@flow/testing';

describe('batchLoader', () => {
  const a = randomUUID();
  const b = randomUUID();
  const missing = randomUUID();

  it('asks once per tick, answers in key order, null for misses, and never asks for a non-UUID', async () => {
    const asked: string[][] = [];
    const loader = batchLoader(
      async (ids: string[]) => {
        asked.push(ids);
        return [
          { id: b, n: 2 },
          { id: a, n: 1 },
          { id: a, n: 3 },
        ];
      },
      (row) => row.id,
    );
    const answers = await Promise.all(
      [b, 'not-a-uuid', a.toUpperCase(), missing, a].map((key) => loader.load(key)),
    );
    expect(answers).toEqual([{ id: b, n: 2 }, null, { id: a, n: 1 }, null, { id: a, n: 1 }]);
    expect(asked).toHaveLength(1);
    expect(asked[0]!.sort()).toEqual([a, b, missing].sort());
  });

  it('makes no query when no key can match, and loads what valueOf picks', async () => {
    let queries = 0;
    const loader = batchLoader(
      async () => {
        queries += 1;
        return [{ orderId: a, driverId: 'driver-1' }];
      },
      (row) => row.orderId,
      (row) => row.driverId,
    );
    expect(await loader.load('nope')).toBeNull();
    expect(queries).toBe(0);
    expect(await loader.load(a)).toBe('driver-1');
  });

  it('groups every row of a key, in the order fetched, [] for none', async () => {
    const loader = batchGroupLoader(
      async () => [
        { parent: a, n: 1 },
        { parent: b, n: 2 },
        { parent: a, n: 3 },
      ],
      (row) => row.parent,
    );
    expect(await loader.loadMany([a, missing, b])).toEqual([
      [
        { parent: a, n: 1 },
        { parent: a, n: 3 },
      ],
      [],
      [{ parent: b, n: 2 }],
    ]);
  });

  it('asks a table once for the rows whose column holds the keys, in the order given', async () => {
    const asked: unknown[] = [];
    const table = {
      findMany: async (args: { where: { orderId: { in: string[] } }; orderBy: unknown }) => {
        asked.push(args);
        return [
          { orderId: b, lineNo: 1 },
          { orderId: a, lineNo: 1 },
          { orderId: a, lineNo: 2 },
        ];
      },
    };
    const loader = rowsByColumnLoader(table, 'orderId', [{ lineNo: 'asc' }]);
    expect(await loader.loadMany([a, 'not-a-uuid', b, missing])).toEqual([
      [
        { orderId: a, lineNo: 1 },
        { orderId: a, lineNo: 2 },
      ],
      [],
      [{ orderId: b, lineNo: 1 }],
      [],
    ]);
    expect(asked).toEqual([{ where: { orderId: { in: [a, b, missing] } }, orderBy: [{ lineNo: 'asc' }] }]);
  });
});

describe('database error kinds', () => {
  it('reads Prisma codes, driver adapter codes and pg codes alike', () => {
    expect(databaseErrorKind({ code: 'P2002', meta: { target: ['sku'] } })).toBe('unique');
    expect(databaseErrorKind({ code: 'P2003' })).toBe('foreign-key');
    expect(databaseErrorKind({ code: 'P2025' })).toBe('not-found');
    expect(databaseErrorKind({ code: 'P2034' })).toBe('conflict');
    expect(
      databaseErrorKind({
        code: 'P2010',
        meta: { driverAdapterError: { cause: { originalCode: '23505' } } },
      }),
    ).toBe('unique');
    expect(databaseErrorKind({ code: '40P01' })).toBe('conflict');
    expect(databaseErrorKind(new Error('boom'))).toBeNull();
    expect(databaseErrorKind(null)).toBeNull();
  });

  it('knows a unique violation from the real Postgres', async () => {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      await client.query('CREATE TEMP TABLE kit_unique (id int PRIMARY KEY)');
      await client.query('INSERT INTO kit_unique VALUES (1)');
      const error = await client.query('INSERT INTO kit_unique VALUES (1)').catch((e: unknown) => e);
      expect(isUniqueViolation(error)).toBe(true);
      const fk = await client
        .query('CREATE TEMP TABLE kit_child (id int REFERENCES kit_unique)')
        .then(() => client.query('INSERT INTO kit_child VALUES (2)'))
        .catch((e: unknown) => e);
      expect(databaseErrorKind(fk)).toBe('foreign-key');
    } finally {
      await client.end();
    }
  });

  it('translates by kind and throws anything else again unchanged', () => {
    const taken = () => 'taken';
    expect(translateDatabaseError({ code: 'P2002' }, { unique: taken })).toBe('taken');
    const other = new Error('disk full');
    expect(() => translateDatabaseError(other, { unique: taken })).toThrow(other);
    const notFound = { code: 'P2025' };
    expect(() => translateDatabaseError(notFound, { unique: taken })).toThrow();
  });
});

describe('jobs', () => {
  it('logs a failed run and keeps going', async () => {
    const { logger, lines } = capturingLogger();
    let runs = 0;
    const jobs = startJobs(
      [
        {
          name: 'flaky job',
          everyMs: 10,
          run: async () => {
            runs += 1;
            throw new Error('database restarting');
          },
        },
      ],
      logger,
    );
    await until(() => runs >= 3, 'three runs');
    await jobs.stop();
    expect(lines.filter((line) => line.msg === 'flaky job failed; will retry').length).toBeGreaterThanOrEqual(
      2,
    );
  });

  it('never runs a job twice at once, and stop waits for the run in progress', async () => {
    let runs = 0;
    let finish!: () => void;
    const jobs = startJobs(
      [
        {
          name: 'slow',
          everyMs: 5,
          run: () => ((runs += 1), new Promise<void>((resolve) => (finish = resolve))),
        },
      ],
      capturingLogger().logger,
    );
    await until(() => runs === 1, 'the first run');
    let stopped = false;
    const stopping = jobs.stop().then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    finish();
    await stopping;
    expect(runs).toBe(1);
  });
});
