import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The router signs every request it sends to a subgraph, so a subgraph can tell a call that came
 * through the router (which checked the token, limits and declarative auth) from a direct one.
 * The signature binds the time, the request id, the caller's token and the operation.
 */
export const SIGNATURE_HEADER = 'x-flow-signature';
export const TIMESTAMP_HEADER = 'x-flow-timestamp';
export const REQUEST_ID_HEADER = 'x-request-id';
/** A subgraph calling another as itself (a saga step), not only for the viewer: `orders`. */
export const SERVICE_HEADER = 'x-flow-service';
/**
 * The absolute time (epoch milliseconds) at which the caller gives up on this request: the callee
 * stops its remaining work then. Signed, so a client cannot extend a subgraph's work through it.
 */
export const DEADLINE_HEADER = 'x-flow-deadline';
/** v2 signs the deadline too; a v1 signature (no deadline) is refused as a stale format. */
export const SIGNATURE_VERSION = 'v2';
/** How far a signed request's clock may be from ours: bounds replay of a captured request. */
export const MAX_SIGNATURE_AGE_SECONDS = 60;

export interface SignedParts {
  timestamp: string;
  requestId: string;
  authorization: string;
  /** The end client's address the router forwards (x-flow-client-address); '' when none. */
  clientAddress?: string;
  /** The calling subgraph when it acts as itself; '' or absent for the router. */
  service?: string;
  /** The x-flow-deadline value as sent (epoch ms); '' or absent when the caller set none. */
  deadline?: string;
  query: string;
  operationName: string | null | undefined;
  variables: Record<string, unknown> | null | undefined;
}

/**
 * The operation's digest, from a bounded memo: a router signs, and a subgraph checks, the same
 * query with the same variables over and over. Longer operations are hashed every time (a memo
 * entry holds its text).
 */
const operationDigests = new Map<string, string>();
const MAX_MEMO_OPERATION = 16_384;
const MAX_MEMO_OPERATIONS = 2000;

function operationDigest(parts: SignedParts): string {
  const text = `${parts.query}\n${parts.operationName ?? ''}\n${JSON.stringify(parts.variables ?? {})}`;
  const known = operationDigests.get(text);
  if (known !== undefined) return known;
  const digest = createHash('sha256').update(text).digest('hex');
  if (text.length <= MAX_MEMO_OPERATION) {
    if (operationDigests.size >= MAX_MEMO_OPERATIONS) operationDigests.clear();
    operationDigests.set(text, digest);
  }
  return digest;
}

function canonical(parts: SignedParts): string {
  const operation = operationDigest(parts);
  return [
    SIGNATURE_VERSION,
    parts.timestamp,
    parts.requestId,
    parts.authorization,
    parts.clientAddress ?? '',
    // A captured router request must not be replayable as a service's (x-flow-service: orders).
    parts.service ?? '',
    parts.deadline ?? '',
    operation,
  ].join('\n');
}

export function signRequest(secret: string, parts: SignedParts): string {
  return `${SIGNATURE_VERSION}=${createHmac('sha256', secret).update(canonical(parts)).digest('hex')}`;
}

export type SignatureCheck = { valid: true } | { valid: false; reason: string };

export function verifyRequestSignature(
  secret: string,
  signature: string | undefined,
  parts: SignedParts,
  now: Date = new Date(),
): SignatureCheck {
  if (!signature) return { valid: false, reason: 'missing signature' };
  if (!signature.startsWith(`${SIGNATURE_VERSION}=`))
    return { valid: false, reason: 'unsupported signature version' };
  const seconds = Number(parts.timestamp);
  if (!Number.isFinite(seconds)) return { valid: false, reason: 'missing or malformed timestamp' };
  if (Math.abs(now.getTime() / 1000 - seconds) > MAX_SIGNATURE_AGE_SECONDS)
    return { valid: false, reason: 'stale timestamp' };
  const expected = Buffer.from(signRequest(secret, parts));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    return { valid: false, reason: 'bad signature' };
  return { valid: true };
}
