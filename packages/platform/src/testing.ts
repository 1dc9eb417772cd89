// Helpers for tests only: a typed GraphQL-over-HTTP client and per-test database schemas.
import { randomBytes } from 'node:crypto';

export interface GraphQLResponse<Data> {
  status: number;
  data: Data | null | undefined;
  errors: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[] | undefined;
  headers: Headers;
}

export interface GraphQLRequest {
  query: string;
  variables?: Record<string, unknown>;
  token?: string;
  headers?: Record<string, string>;
}

export type GraphQLClient = <Data = Record<string, unknown>>(
  request: GraphQLRequest,
) => Promise<GraphQLResponse<Data>>;

export function createGraphQLClient(url: string): GraphQLClient {
  return async <Data>({ query, variables, token, headers }: GraphQLRequest) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: Data | null; errors?: GraphQLResponse<Data>['errors'] };
    return { status: response.status, data: body.data, errors: body.errors, headers: response.headers };
  };
}

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

/** A fresh, unique Postgres schema name for one test file. */
export function uniqueSchemaName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`.toLowerCase();
}

/** TEST_DATABASE_URL pointed at `schema` (Prisma's `?schema=` convention). */
export function databaseUrlForSchema(schema: string, base = TEST_DATABASE_URL): string {
  const url = new URL(base);
  url.searchParams.set('schema', schema);
  return url.toString();
}
