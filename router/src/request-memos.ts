// Work Apollo Server and the gateway redo for every request although its answer depends only on
// what repeats from one request to the next (profiled: README "Performance → Router"), answered
// from bounded memos installed where they call it:
// - the SHA-256 of each query text (Apollo's document cache key) and of query hash + operation
//   name (the gateway's plan cache key), by @apollo/utils.createhash;
// - the media type the Accept header prefers (negotiator, for Apollo's answer's content type);
// - the gateway's own form of the operation to shape the result with (operationFromDocument in
//   executeQueryPlan), per parsed operation: Apollo keeps one parsed document per query text.
// Each memo gives what the call would have: router/test/request-memos.test.ts holds them equal.
import { createHash as cryptoHash, type BinaryToTextEncoding } from 'node:crypto';
import { dirname } from 'node:path';
import type { DefinitionNode, DocumentNode, OperationDefinitionNode } from 'graphql';
import { federationInternalsPath } from './gateway-modules';

/** A map of at most `max` entries, emptied when full (cheaper than an LRU on every hit). */
export class Memo<Key, Value> {
  private readonly entries = new Map<Key, Value>();
  constructor(private readonly max: number) {}
  get(key: Key): Value | undefined {
    return this.entries.get(key);
  }
  set(key: Key, value: Value): Value {
    if (this.entries.size >= this.max) this.entries.clear();
    this.entries.set(key, value);
    return value;
  }
  get size(): number {
    return this.entries.size;
  }
}

/** Longer inputs are hashed every time: a memo entry holds its input. */
const MAX_MEMO_INPUT = 16_384;
const digests = new Memo<string, string>(2000);

/**
 * `crypto.createHash('sha256')` for string updates and a hex digest, from the memo when the same
 * input was hashed before; anything else (other input types, encodings, a copy) by crypto.
 */
class MemoSha256 {
  private input = '';
  private real: ReturnType<typeof cryptoHash> | undefined;

  update(data: unknown, encoding?: BufferEncoding): this {
    if (this.real || typeof data !== 'string' || (encoding !== undefined && encoding !== 'utf8')) {
      this.real ??= cryptoHash('sha256').update(this.input);
      this.real.update(data as string, encoding as BufferEncoding);
    } else this.input += data;
    return this;
  }

  digest(encoding?: BinaryToTextEncoding): string | Buffer {
    if (this.real || encoding !== 'hex' || this.input.length > MAX_MEMO_INPUT)
      return (this.real ?? cryptoHash('sha256').update(this.input)).digest(encoding as BinaryToTextEncoding);
    return (
      digests.get(this.input) ??
      digests.set(this.input, cryptoHash('sha256').update(this.input).digest('hex'))
    );
  }
}

export function memoCreateHash(kind: string) {
  return kind === 'sha256' ? new MemoSha256() : cryptoHash(kind);
}

/** The negotiator Apollo Server uses, and its own mediaType. */
const apolloDir = dirname(require.resolve('@apollo/server'));
const Negotiator = require(require.resolve('negotiator', { paths: [apolloDir] })) as {
  prototype: {
    mediaType(this: { request: { headers: { accept?: string } } }, available?: string[]): unknown;
  };
};
export const negotiatorMediaType = Negotiator.prototype.mediaType;
const preferred = new Memo<string, { answer: unknown }>(200);

/** negotiator's mediaType, from the memo for an Accept header and a list of types seen before. */
export function memoMediaType(this: { request: { headers: { accept?: string } } }, available?: string[]) {
  const accept: unknown = this.request.headers.accept;
  if (
    !Array.isArray(available) ||
    (accept !== undefined && typeof accept !== 'string') ||
    (accept?.length ?? 0) > 1024
  )
    return negotiatorMediaType.call(this, available);
  const key = `${accept ?? '\u0000'}\n${available.join('\n')}`;
  return (preferred.get(key) ?? preferred.set(key, { answer: negotiatorMediaType.call(this, available) }))
    .answer;
}

type OperationFromDocument = (
  schema: object,
  document: DocumentNode,
  options?: { validate?: boolean },
) => unknown;
const internals = require(federationInternalsPath) as { operationFromDocument: OperationFromDocument };
export const gatewayOperationFromDocument = internals.operationFromDocument;

/** Per schema, per parsed operation: its fragments (by identity) and the gateway's operation. */
const operations = new WeakMap<
  object,
  WeakMap<DefinitionNode, { rest: readonly DefinitionNode[]; operation: unknown }>
>();

/**
 * executeQueryPlan's call (`validate: false`, the operation first, then its fragments) answered per
 * parsed operation; every other call (planning validates) as before.
 */
export function memoOperationFromDocument(
  schema: object,
  document: DocumentNode,
  options?: { validate?: boolean },
) {
  const [first, ...rest] = document.definitions;
  if (
    options?.validate !== false ||
    options === undefined ||
    Object.keys(options).length !== 1 ||
    first?.kind !== 'OperationDefinition'
  )
    return gatewayOperationFromDocument(schema, document, options);
  let bySchema = operations.get(schema);
  if (!bySchema) operations.set(schema, (bySchema = new WeakMap()));
  const known = bySchema.get(first);
  if (known && known.rest.length === rest.length && known.rest.every((node, i) => node === rest[i]))
    return known.operation;
  const operation = gatewayOperationFromDocument(schema, document, options);
  bySchema.set(first as OperationDefinitionNode, { rest, operation });
  return operation;
}

/** Installs the memos where Apollo Server and the gateway call them. */
function install() {
  for (const from of [apolloDir, dirname(require.resolve('@apollo/gateway'))]) {
    const module = require(require.resolve('@apollo/utils.createhash', { paths: [from] })) as {
      createHash: unknown;
    };
    module.createHash = memoCreateHash;
  }
  Negotiator.prototype.mediaType = memoMediaType;
  internals.operationFromDocument = memoOperationFromDocument as OperationFromDocument;
}

install();
