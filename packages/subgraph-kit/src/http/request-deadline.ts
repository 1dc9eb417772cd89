import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  defaultFieldResolver,
  isInterfaceType,
  isObjectType,
  type GraphQLFieldResolver,
  type GraphQLSchema,
} from 'graphql';
import { DEADLINE_HEADER } from '@flow/core';
import { requestSignalScope } from '../db/cancellable-pool';
import { errors } from '@flow/core';

/** How long a subgraph works for one request at most, when the caller sets no deadline or a later one. */
export const DEFAULT_MAX_REQUEST_DEADLINE_MS = 15_000;

export interface RequestDeadline {
  /** Epoch milliseconds after which nobody waits for this request's answer. */
  deadline: number;
  /** Aborts at the deadline, or when the caller disconnects before the answer was sent. */
  signal: AbortSignal;
}

/**
 * The deadline a request carries (x-flow-deadline, signed by the caller), clamped to this
 * process's maximum, and a signal that fires when it passes or when the caller goes away (the
 * router aborted its fetch): from then on nobody reads the answer, so the work can stop.
 */
export function requestDeadline(
  req: Pick<IncomingMessage, 'headers'>,
  res: ServerResponse,
  maxMs: number,
  now = Date.now(),
): RequestDeadline {
  const given = Number(req.headers[DEADLINE_HEADER]);
  const latest = now + maxMs;
  const deadline = Number.isFinite(given) && given > 0 ? Math.min(given, latest) : latest;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(errors.deadlineExceeded()), Math.max(0, deadline - now));
  timer.unref();
  res.once('close', () => {
    clearTimeout(timer);
    // 'close' before the answer was fully written: the caller disconnected.
    if (!res.writableFinished) controller.abort(errors.deadlineExceeded());
  });
  return { deadline, signal: controller.signal };
}

/** Remaining milliseconds before `deadline` (never negative). */
export const remainingMs = (deadline: number, now = Date.now()) => Math.max(0, deadline - now);

/** Throws GATEWAY_TIMEOUT when `signal` has aborted: a check for loops and long paths in services. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw errors.deadlineExceeded();
}

type WithSignal = { signal?: AbortSignal } | undefined;

/** Counts resolvers refused because their request had already aborted (tests and metrics read it). */
export type SkippedResolverHook = (coordinate: string) => void;

/**
 * Wraps every resolver the schema defines (fields with their own resolve and entity
 * __resolveReference), in place: none starts once the request's signal has aborted, so a request
 * whose caller gave up does no further work. Default resolvers (reading a property) are left alone.
 */
export function stopResolversAfterAbort(
  schema: GraphQLSchema,
  onSkipped?: SkippedResolverHook,
): GraphQLSchema {
  const mutationType = schema.getMutationType();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    // A write, once started, runs to its end: its statements are not cancelled when the request
    // aborts (a saga stopped halfway would leave stock or money to recovery); statement_timeout
    // still bounds each one.
    const runToEnd = type === mutationType;
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve;
      if (!resolve || resolve === defaultFieldResolver) continue;
      const coordinate = `${type.name}.${field.name}`;
      const guarded: GraphQLFieldResolver<unknown, WithSignal> = (source, args, context, info) => {
        if (context?.signal?.aborted) {
          onSkipped?.(coordinate);
          throw errors.deadlineExceeded();
        }
        return runToEnd
          ? requestSignalScope.exit(() => resolve(source, args, context, info))
          : resolve(source, args, context, info);
      };
      field.resolve = guarded as typeof resolve;
    }
  }
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    // @apollo/subgraph keeps an entity's __resolveReference in the type's extensions.
    const subgraph = (type.extensions as { apollo?: { subgraph?: { resolveReference?: unknown } } }).apollo
      ?.subgraph;
    const resolveReference = subgraph?.resolveReference;
    if (!subgraph || typeof resolveReference !== 'function') continue;
    const coordinate = `${type.name}.__resolveReference`;
    subgraph.resolveReference = (reference: unknown, context: WithSignal, info: unknown) => {
      if (context?.signal?.aborted) {
        onSkipped?.(coordinate);
        throw errors.deadlineExceeded();
      }
      return (resolveReference as (...args: unknown[]) => unknown)(reference, context, info);
    };
  }
  return schema;
}
