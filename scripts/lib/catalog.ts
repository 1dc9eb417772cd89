import pg from 'pg';
import { quoteIdentifier } from '@flow/subgraph-kit';

/**
 * What a Postgres schema contains, as one line per fact, so that two schemas can be compared
 * and every difference printed: tables, columns (type, nullability, default, identity),
 * constraints (primary, unique, foreign incl. ON DELETE/UPDATE, check), indexes, enum types.
 *
 * Column order and enum value order are left out, as Prisma's own diffing leaves them out: a
 * column added by a later migration lands last, one described in schema.prisma anywhere.
 */
export async function describeSchema(connectionString: string, schema: string): Promise<string[]> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    // Types and tables on the search_path are printed unqualified, so that two schemas with
    // different names but the same content describe identically.
    await client.query(`SET search_path TO ${quoteIdentifier(schema)}`);
    const facts: string[] = [];
    const add = async (sql: string) => {
      const { rows } = await client.query<{ fact: string }>(sql, [schema]);
      facts.push(...rows.map((row) => row.fact));
    };
    await add(`
      SELECT format('relation %s (%s)', c.relname, c.relkind) AS fact
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND c.relname <> '_prisma_migrations'`);
    await add(`
      SELECT format('column %s.%s %s%s%s%s%s', c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
        CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END,
        CASE WHEN d.adbin IS NOT NULL AND a.attgenerated = '' THEN ' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid) ELSE '' END,
        CASE WHEN a.attgenerated <> '' THEN ' GENERATED AS ' || pg_get_expr(d.adbin, d.adrelid) ELSE '' END,
        CASE a.attidentity WHEN 'a' THEN ' IDENTITY ALWAYS' WHEN 'd' THEN ' IDENTITY BY DEFAULT' ELSE '' END) AS fact
      FROM pg_attribute a
      JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0 AND NOT a.attisdropped
        AND c.relname <> '_prisma_migrations'`);
    await add(`
      SELECT format('constraint %s.%s %s', c.relname, k.conname, pg_get_constraintdef(k.oid)) AS fact
      FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname <> '_prisma_migrations'`);
    await add(`
      SELECT format('index %s.%s %s', c.relname, i.relname, pg_get_indexdef(x.indexrelid)) AS fact
      FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname <> '_prisma_migrations'`);
    await add(`
      SELECT format('enum %s (%s)', t.typname, string_agg(e.enumlabel, ', ' ORDER BY e.enumlabel)) AS fact
      FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_enum e ON e.enumtypid = t.oid
      WHERE n.nspname = $1 GROUP BY t.typname`);
    // pg_get_indexdef always names the schema; drop it like the search_path does elsewhere.
    const prefixes = [`${quoteIdentifier(schema)}.`, `${schema}.`];
    return facts.map((fact) => prefixes.reduce((text, prefix) => text.split(prefix).join(''), fact)).sort();
  } finally {
    await client.end();
  }
}

/** Lines only in `expected` are marked "-", lines only in `actual` "+"; empty when equal. */
export function compareCatalogs(expected: string[], actual: string[]): string[] {
  const inActual = new Set(actual);
  const inExpected = new Set(expected);
  return [
    ...expected.filter((fact) => !inActual.has(fact)).map((fact) => `- ${fact}`),
    ...actual.filter((fact) => !inExpected.has(fact)).map((fact) => `+ ${fact}`),
  ];
}
