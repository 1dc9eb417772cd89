import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { GraphQLError, print, type DocumentNode } from 'graphql';
import { CLIENT_ADDRESS_HEADER, type BaseContext } from './subgraph-server';
import {
  DEADLINE_HEADER,
  REQUEST_ID_HEADER,
  SERVICE_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  signRequest,
} from '@flow/core';
import { ErrorCode, errors } from '@flow/core';
import type { Logger } from '@flow/core';
import { postJsonTo, postJsonWith, type JsonAnswer, type PostJson } from './http/post-json';

export type { TypedDocumentNode };

/**
 * How one subgraph calls another: signed like the router's calls (so production subgraphs accept
 * it), on behalf of the same viewer (their token is passed on), with a deadline, retries with
 * backoff only for operations safe to send twice, and a circuit breaker so a dead dependency
 * fails fast instead of tying up every request. Operations are typed documents generated from the
 * callee's schema (see codegen.ts), so their variables and results are checked at compile time.
 */
export interface SubgraphClientOptions {
  /** The dependency's name, for errors and logs (e.g. `locations`). */
  name: string;
  url: string;
  secret: string;
  logger: Logger;
  timeoutMs?: number;
  /** Extra attempts for an idempotent operation after a network error, timeout or 5xx. */
  retries?: number;
  retryBaseMs?: number;
  /** Consecutive failures that open the breaker, and how long it stays open before one trial call. */
  breakerThreshold?: number;
  breakerOpenMs?: number;
  fetch?: typeof fetch;
  /** Call as this service (e.g. `orders`): the callee may then allow saga steps the viewer could not. */
  service?: string;
}

/**
 * The part of a request context a call is made on behalf of. With a signal and a deadline (a
 * request's context has both), an idempotent call stops when the request does and carries the
 * remaining deadline to the callee, which then stops too.
 */
export type CallContext = Pick<BaseContext, 'requestId' | 'authorization' | 'clientAddress'> &
  Partial<Pick<BaseContext, 'signal' | 'deadline'>>;

/**
 * The same caller without its deadline: for writes that must finish once begun (saga steps whose
 * half-done state would need recovery), which then run to their own timeout only.
 */
export const withoutDeadline = (ctx: CallContext): CallContext => ({
  requestId: ctx.requestId,
  authorization: ctx.authorization,
  clientAddress: ctx.clientAddress,
});

/** Codes a dependency answers that are about the caller, not about the dependency: passed through. */
const CALLER_CODES = new Set<string>([
  ErrorCode.UNAUTHENTICATED,
  ErrorCode.FORBIDDEN,
  ErrorCode.BAD_USER_INPUT,
  ErrorCode.NOT_FOUND,
  ErrorCode.CONFLICT,
  ErrorCode.OUT_OF_STOCK,
  ErrorCode.PAYMENT_DECLINED,
  ErrorCode.IDEMPOTENCY_KEY_REUSED,
  // The callee stopped because the deadline we passed on ran out: ours, not its failure.
  ErrorCode.GATEWAY_TIMEOUT,
]);

class RetryableFailure extends Error {
  /** The attempt ended because the caller's deadline passed, not because the dependency failed. */
  callerGaveUp = false;
}

/** An operation's variables: optional when it requires none. */
export type OperationVariables<Vars> =
  Record<string, never> extends Vars ? [variables?: Vars] : [variables: Vars];

/** The text sent for a document, printed once (the signature covers exactly this text). */
const printed = new WeakMap<DocumentNode, string>();
const textOf = (document: DocumentNode): string => {
  let text = printed.get(document);
  if (text === undefined) printed.set(document, (text = print(document)));
  return text;
};

type BreakerState =
  { kind: 'closed'; failures: number } | { kind: 'open'; until: number } | { kind: 'half-open' };

export class SubgraphClient {
  private breaker: BreakerState = { kind: 'closed', failures: 0 };
  private readonly post: PostJson;

  constructor(private readonly options: SubgraphClientOptions) {
    this.post = options.fetch ? postJsonWith(options.fetch, options.url) : postJsonTo(options.url);
  }

  get breakerState(): BreakerState['kind'] {
    return this.breaker.kind;
  }

  /**
   * An operation the callee may receive twice with the same outcome: a read, or a write it
   * deduplicates (under an idempotency key, or a transition whose repeat answers what the first
   * did). Retried on transient failures; carries the context's deadline and signal, if any (pass
   * `withoutDeadline(ctx)` for a saga step that must finish once begun).
   */
  idempotent<Data, Vars extends Record<string, unknown>>(
    ctx: CallContext,
    document: TypedDocumentNode<Data, Vars>,
    ...[variables]: OperationVariables<NoInfer<Vars>>
  ): Promise<Data> {
    return this.call<Data>(ctx, textOf(document), variables, true);
  }

  /**
   * An operation sent at most once: a write whose repeat could act twice, or whose lost answer
   * only the caller's own recovery can settle. Never retried here, and never cut off by the
   * caller's deadline: a write aborted halfway leaves an outcome nobody knows.
   */
  once<Data, Vars extends Record<string, unknown>>(
    ctx: CallContext,
    document: TypedDocumentNode<Data, Vars>,
    ...[variables]: OperationVariables<NoInfer<Vars>>
  ): Promise<Data> {
    return this.call<Data>(withoutDeadline(ctx), textOf(document), variables, false);
  }

  private async call<Data>(
    ctx: CallContext,
    query: string,
    variables: Record<string, unknown> | undefined,
    idempotent: boolean,
  ) {
    const { logger, name } = this.options;
    if (!this.admit()) {
      logger.warn({ requestId: ctx.requestId, dependency: name }, 'circuit open: failing fast');
      throw errors.serviceUnavailable(name);
    }
    const attempts = 1 + (idempotent ? (this.options.retries ?? 2) : 0);
    for (let attempt = 1; ; attempt++) {
      // The caller gave up: no (further) attempt, and the dependency is not to blame.
      if (ctx.signal?.aborted || (ctx.deadline !== undefined && ctx.deadline <= Date.now()))
        throw errors.deadlineExceeded();
      try {
        const data = await this.attempt<Data>(ctx, query, variables);
        this.breaker = { kind: 'closed', failures: 0 };
        return data;
      } catch (error) {
        if (!(error instanceof RetryableFailure)) {
          this.breaker = { kind: 'closed', failures: 0 };
          throw error;
        }
        if (ctx.signal?.aborted || error.callerGaveUp) throw errors.deadlineExceeded();
        logger.warn(
          { requestId: ctx.requestId, dependency: name, attempt, reason: error.message },
          'dependency call failed',
        );
        const breakerStillClosed = this.recordFailure();
        if (attempt >= attempts || !breakerStillClosed) throw errors.serviceUnavailable(name);
        const base = this.options.retryBaseMs ?? 50;
        await new Promise((r) => setTimeout(r, base * 2 ** (attempt - 1) * (1 + Math.random())));
      }
    }
  }

  private async attempt<Data>(
    ctx: CallContext,
    query: string,
    variables: Record<string, unknown> | undefined,
  ): Promise<Data> {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const authorization = ctx.authorization ?? '';
    const clientAddress = ctx.clientAddress ?? '';
    const deadline = ctx.deadline === undefined ? '' : String(ctx.deadline);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      [REQUEST_ID_HEADER]: ctx.requestId,
      [TIMESTAMP_HEADER]: timestamp,
      [SIGNATURE_HEADER]: signRequest(this.options.secret, {
        timestamp,
        requestId: ctx.requestId,
        authorization,
        clientAddress,
        service: this.options.service ?? '',
        deadline,
        query,
        operationName: null,
        variables: variables ?? null,
      }),
    };
    if (authorization) headers.authorization = authorization;
    if (deadline) headers[DEADLINE_HEADER] = deadline;
    if (clientAddress) headers[CLIENT_ADDRESS_HEADER] = clientAddress;
    if (this.options.service) headers[SERVICE_HEADER] = this.options.service;
    // The attempt's own timeout, cut to what remains of the caller's deadline.
    const ownTimeoutMs = this.options.timeoutMs ?? 3000;
    const remaining = ctx.deadline === undefined ? Infinity : Math.max(0, ctx.deadline - Date.now());
    const timeoutMs = Math.min(ownTimeoutMs, remaining);
    const signals = [AbortSignal.timeout(timeoutMs)];
    if (ctx.signal) signals.push(ctx.signal);
    let answer: JsonAnswer;
    try {
      answer = await this.post(headers, JSON.stringify({ query, variables }), AbortSignal.any(signals));
    } catch (error) {
      const failure = new RetryableFailure(error instanceof Error ? error.message : String(error));
      failure.callerGaveUp =
        Boolean(ctx.signal?.aborted) || (ctx.deadline !== undefined && Date.now() >= ctx.deadline);
      throw failure;
    }
    if (answer.status >= 500) throw new RetryableFailure(`HTTP ${answer.status}`);
    const body = answer.body as {
      data?: Data;
      errors?: { message: string; extensions?: { code?: string } }[];
    } | null;
    const first = body?.errors?.[0];
    if (first) {
      const code = first.extensions?.code;
      if (code && CALLER_CODES.has(code))
        throw new GraphQLError(first.message, { extensions: { ...first.extensions, code } });
      this.options.logger.error(
        { requestId: ctx.requestId, dependency: this.options.name, errors: body?.errors },
        'dependency answered with errors',
      );
      throw errors.serviceUnavailable(this.options.name);
    }
    if (!body?.data) throw new RetryableFailure(`HTTP ${answer.status} without data`);
    return body.data;
  }

  private admit(): boolean {
    if (this.breaker.kind === 'open') {
      if (Date.now() < this.breaker.until) return false;
      this.breaker = { kind: 'half-open' };
    }
    return true;
  }

  /** Counts a failure; false when the breaker has opened (stop retrying). */
  private recordFailure(): boolean {
    const threshold = this.options.breakerThreshold ?? 5;
    const failures = this.breaker.kind === 'closed' ? this.breaker.failures + 1 : threshold;
    if (failures >= threshold) {
      this.breaker = { kind: 'open', until: Date.now() + (this.options.breakerOpenMs ?? 10_000) };
      this.options.logger.error({ dependency: this.options.name }, 'circuit opened');
      return false;
    }
    this.breaker = { kind: 'closed', failures };
    return true;
  }
}
