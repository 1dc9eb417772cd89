// A subgraph call that fails (connection refused, timeout, HTTP error) becomes a GraphQL response
// whose errors sit at the paths that call should have filled, instead of a thrown error.
//
// Why: @apollo/gateway's executeQueryPlan pushes a thrown error without a path ("fetch failed",
// no subgraph), while the errors of a *response* are remapped: a root fetch's `[field]` paths are
// prefixed with the fetch's position (the root), and an entity fetch's `["_entities", i, ...]`
// paths become the path of the i-th entity in the response. So a failure answered here as one
// error per root field (or per entity and field) lands exactly where the data is missing, and the
// fields other subgraphs served are kept.
import {
  GraphQLError,
  Kind,
  parse,
  type FragmentDefinitionNode,
  type GraphQLFormattedError,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { ErrorCode, InternalErrorCode } from '@flow/core';

export interface SubgraphFailure {
  /** SERVICE_UNAVAILABLE, GATEWAY_TIMEOUT (public, with `service`), or an internal code (masked). */
  code: string;
  message: string;
  /** For the logs: what actually happened. */
  cause: string;
  /** More for the client (e.g. ORDER_PENDING's idempotency key). */
  extensions?: Record<string, unknown>;
}

const unavailable = (service: string, cause: string): SubgraphFailure => ({
  code: ErrorCode.SERVICE_UNAVAILABLE,
  message: `The ${service} service is unavailable right now. Try again shortly.`,
  cause,
});
const timedOut = (service: string, cause: string): SubgraphFailure => ({
  code: ErrorCode.GATEWAY_TIMEOUT,
  message: `The ${service} service did not answer in time. Try again shortly.`,
  cause,
});

// undici's own timeouts (headers, body) are timeouts too; everything else from `fetch` is a
// network failure (refused, reset, closed mid-answer, unknown host).
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

function causeChain(error: unknown): { name?: string; code?: string; message?: string }[] {
  const chain: { name?: string; code?: string; message?: string }[] = [];
  let current: unknown = error;
  while (current && typeof current === 'object' && chain.length < 5) {
    chain.push(current as { name?: string; code?: string; message?: string });
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

/** What a failed call to subgraph `service` means for the client. */
export function describeSubgraphFailure(error: unknown, service: string): SubgraphFailure {
  const chain = causeChain(error);
  const cause = chain
    .map((e) => [e.name, e.code, e.message].filter(Boolean).join(' '))
    .join(' <- ')
    .slice(0, 500);
  if (error instanceof GraphQLError && typeof error.extensions?.code === 'string') {
    if (error.extensions.code === InternalErrorCode.SUBGRAPH_HTTP_ERROR) {
      const status = Number(error.extensions.status);
      if (status === 504) return timedOut(service, cause);
      if (status === 502 || status === 503) return unavailable(service, cause);
    }
    // A deliberate error (e.g. the router's own deadline had passed): keep its code and message.
    return { code: error.extensions.code, message: error.message, cause };
  }
  if (
    chain.some((e) => e.name === 'TimeoutError' || e.name === 'AbortError' || TIMEOUT_CODES.has(e.code ?? ''))
  )
    return timedOut(service, cause);
  // fetch's network failures: a TypeError "fetch failed" caused by a system or undici error. (Names
  // and codes, not instanceof: fetch's TypeError may come from another realm, e.g. under jest.)
  const network = chain.some(
    (e) => typeof e.code === 'string' && (/^E[A-Z]+$/.test(e.code) || e.code.startsWith('UND_ERR')),
  );
  if (network || (chain[0]?.name === 'TypeError' && chain[0]?.message === 'fetch failed'))
    return unavailable(service, cause);
  return {
    code: InternalErrorCode.SUBGRAPH_REQUEST_FAILED,
    message: `The call to the ${service} service failed.`,
    cause,
  };
}

type Path = (string | number)[];

function responseKeys(
  selectionSet: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  typename: string | undefined,
  seen: Set<string> = new Set(),
): string[] {
  const keys: string[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const key = selection.alias?.value ?? selection.name.value;
      if (key !== '__typename') keys.push(key);
      continue;
    }
    const fragment =
      selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments.get(selection.name.value);
    if (!fragment) continue;
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      if (seen.has(selection.name.value)) continue;
      seen.add(selection.name.value);
    }
    const condition = fragment.typeCondition?.name.value;
    if (typename && condition && condition !== typename) continue;
    keys.push(...responseKeys(fragment.selectionSet, fragments, typename, seen));
  }
  return [...new Set(keys)];
}

/** The paths (in the subgraph operation's own response) that `query` would have filled. */
export function pathsOfOperation(query: string, variables: Record<string, unknown> | undefined): Path[] {
  let operation: OperationDefinitionNode | undefined;
  const fragments = new Map<string, FragmentDefinitionNode>();
  try {
    for (const definition of parse(query, { noLocation: true }).definitions) {
      if (definition.kind === Kind.OPERATION_DEFINITION) operation ??= definition;
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
  } catch {
    return [];
  }
  if (!operation) return [];
  const representations = variables?.representations;
  const entities = operation.selectionSet.selections.find(
    (s) => s.kind === Kind.FIELD && s.name.value === '_entities',
  );
  if (Array.isArray(representations) && entities?.kind === Kind.FIELD && entities.selectionSet) {
    const selectionSet = entities.selectionSet;
    const entityKey = entities.alias?.value ?? '_entities';
    return representations.flatMap((representation, index) => {
      const typename = (representation as { __typename?: unknown } | null)?.__typename;
      let keys = responseKeys(selectionSet, fragments, typeof typename === 'string' ? typename : undefined);
      // An interface or union condition names no concrete type: every selected field is affected.
      if (keys.length === 0) keys = responseKeys(selectionSet, fragments, undefined);
      return keys.length > 0 ? keys.map((key) => [entityKey, index, key]) : [[entityKey, index]];
    });
  }
  return responseKeys(operation.selectionSet, fragments, undefined).map((key) => [key]);
}

/** The response standing in for a failed call: the failure at every path it should have filled. */
export function failureResponse(
  failure: SubgraphFailure,
  service: string,
  query: string | undefined,
  variables: Record<string, unknown> | undefined,
): { errors: GraphQLFormattedError[] } {
  const extensions = { ...failure.extensions, code: failure.code, service };
  const paths = query ? pathsOfOperation(query, variables) : [];
  if (paths.length === 0) return { errors: [{ message: failure.message, extensions }] };
  return { errors: paths.map((path) => ({ message: failure.message, path, extensions })) };
}
