// The hostile corpus's format, shared by its generator (scripts/hostile/generate-corpus.ts), its
// CI test (test/hostile.test.ts) and the benchmark (scripts/bench/hostile.ts). Big payloads are
// stored as recipes (`{ "repeat": "a", "times": 300000 }`) so the file stays small and readable.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** Text or bytes, literally or as a recipe expanded at run time. */
export type Recipe =
  | string
  | { repeat: Recipe; times: number }
  | { concat: Recipe[] }
  /** Raw bytes (invalid UTF-8 and the like). */
  | { base64: string }
  /** The gzip of the inner bytes (for Content-Encoding bombs). */
  | { gzip: Recipe };

export type Transport = 'post' | 'get' | 'sse-post' | 'sse-get' | 'ws';

/**
 * - refused: a 4xx (WebSocket: an error message or a documented close code) with a documented
 *   code, before planning: no subgraph call.
 * - accepted: data and no errors.
 * - answered: anything but a server failure; errors, if any, carry documented codes (the outcome
 *   depends on data, or on limits a deployment tunes).
 * - throttled: sent `repeat` times from its own client address; the last answer is RATE_LIMITED
 *   (HTTP: 429 with Retry-After).
 */
export type Outcome = 'refused' | 'accepted' | 'answered' | 'throttled';

export interface GraphQLPayload {
  query?: Recipe;
  variables?: unknown;
  operationName?: unknown;
  extensions?: unknown;
  /** Fields sent as given (a non-string query, a missing query, ...). */
  raw?: Record<string, unknown>;
}

export interface CorpusEntry {
  /** Unique and stable: category/variant/transport. */
  id: string;
  category: string;
  transport: Transport;
  /** Sent with the access token of a signed-in organization admin; anonymous otherwise. */
  auth?: 'user';
  /** What the transport sends (POST: the JSON body, GET: URL parameters, WebSocket: the subscribe payload). */
  graphql?: GraphQLPayload;
  /** HTTP overrides: the raw body replaces the JSON of `graphql`. */
  http?: {
    method?: string;
    headers?: Record<string, string>;
    body?: Recipe;
    /** A raw query string (after `?`) for GET. */
    search?: Recipe;
  };
  /** WebSocket: raw frames sent after the connection is acknowledged, instead of a subscribe. */
  frames?: Recipe[];
  /** throttled entries: how many times the request is sent. */
  repeat?: number;
  expect: {
    outcome: Outcome;
    /** When set, the refusal's code must be one of these (only for codes no protection renames). */
    codes?: string[];
    /** Text that must not appear in the answer (e.g. "Did you mean"). */
    absent?: string[];
  };
}

export interface Corpus {
  description: string;
  seed: number;
  entries: CorpusEntry[];
}

export const CORPUS_PATH = join(__dirname, 'corpus.json');

export function loadCorpus(path = CORPUS_PATH): Corpus {
  return JSON.parse(readFileSync(path, 'utf8')) as Corpus;
}

/** The bytes a recipe stands for. */
export function expandBytes(recipe: Recipe): Buffer {
  if (typeof recipe === 'string') return Buffer.from(recipe, 'utf8');
  if ('repeat' in recipe) {
    const unit = expandBytes(recipe.repeat);
    return Buffer.alloc(unit.length * recipe.times, unit);
  }
  if ('concat' in recipe) return Buffer.concat(recipe.concat.map(expandBytes));
  if ('base64' in recipe) return Buffer.from(recipe.base64, 'base64');
  return gzipSync(expandBytes(recipe.gzip));
}

/** The text a recipe stands for (invalid UTF-8 becomes U+FFFD). */
export function expandText(recipe: Recipe): string {
  if (typeof recipe === 'string') return recipe;
  if ('repeat' in recipe) return expandText(recipe.repeat).repeat(recipe.times);
  if ('concat' in recipe) return recipe.concat.map(expandText).join('');
  return expandBytes(recipe).toString('utf8');
}

/** The JSON fields of a GraphQL request (query expanded). */
export function requestFields(payload: GraphQLPayload): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (payload.query !== undefined) fields.query = expandText(payload.query);
  if (payload.variables !== undefined) fields.variables = payload.variables;
  if (payload.operationName !== undefined) fields.operationName = payload.operationName;
  if (payload.extensions !== undefined) fields.extensions = payload.extensions;
  return { ...fields, ...payload.raw };
}
