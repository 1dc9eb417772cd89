// placeOrder through the router (issue 11, item 6): its call to orders has a deadline of its own
// (PLACE_ORDER_TIMEOUT_MS, above the saga's worst case), and a failure of that call after orders
// may have received it never reads "failed": the caller gets ORDER_PENDING with the idempotency
// key, and a retry with that key returns the order (or the definite failure).
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { ErrorCode, InternalErrorCode } from '@flow/core';
import type { SubgraphFailure } from './subgraph-failures';

export interface Placement {
  /** The idempotency key sent, when the operation names one. */
  idempotencyKey: string | null;
}

const MAX_CACHED = 200;
const cache = new Map<string, OperationDefinitionNode | null>();

function operationOf(query: string): OperationDefinitionNode | null {
  if (cache.has(query)) return cache.get(query)!;
  let operation: OperationDefinitionNode | null = null;
  try {
    const found = parse(query, { noLocation: true }).definitions.find(
      (d) => d.kind === Kind.OPERATION_DEFINITION,
    );
    operation = found?.kind === Kind.OPERATION_DEFINITION ? found : null;
  } catch {
    operation = null;
  }
  // The gateway sends a handful of distinct documents per client operation: a small cache will do.
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
  cache.set(query, operation);
  return operation;
}

/** The placeOrder in a subgraph operation the gateway sends to orders, if there is one. */
export function placementOf(
  query: string | undefined,
  variables: Record<string, unknown> | undefined,
): Placement | null {
  if (!query || !query.includes('placeOrder')) return null;
  const operation = operationOf(query);
  if (operation?.operation !== 'mutation') return null;
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD || selection.name.value !== 'placeOrder') continue;
    const argument = selection.arguments?.find((a) => a.name.value === 'idempotencyKey')?.value;
    const value =
      argument?.kind === Kind.VARIABLE
        ? variables?.[argument.name.value]
        : argument?.kind === Kind.STRING
          ? argument.value
          : null;
    return { idempotencyKey: typeof value === 'string' ? value : null };
  }
  return null;
}

// Failures that happened before orders had the request: nothing was started, the answer stays.
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

function causeCodes(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}

/**
 * Whether orders may have received (and begun) the placement: anything but a connection that
 * was never made, or an HTTP error orders answered itself before executing (Apollo answers
 * execution errors with 200; 502 and 504 come from whatever sits in between).
 */
export function mayHaveReachedOrders(error: unknown): boolean {
  if (causeCodes(error).some((code) => NOT_SENT_CODES.has(code))) return false;
  const extensions = (error as { extensions?: { code?: unknown; status?: unknown } } | null)?.extensions;
  if (extensions?.code === InternalErrorCode.SUBGRAPH_HTTP_ERROR)
    return [502, 504].includes(Number(extensions.status));
  return true;
}

/** The answer to a placeOrder whose call to orders failed after it may have arrived. */
export function pendingPlacement(placement: Placement, cause: string): SubgraphFailure {
  return {
    code: ErrorCode.ORDER_PENDING,
    message: 'The order is still being placed. Retry with the same idempotency key to get its outcome.',
    cause,
    extensions:
      placement.idempotencyKey === null
        ? { retryable: true }
        : { idempotencyKey: placement.idempotencyKey, retryable: true },
  };
}
