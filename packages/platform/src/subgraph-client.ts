import { GraphQLError } from 'graphql';
import { CLIENT_ADDRESS_HEADER, type BaseContext } from './subgraph-server';
import {
  REQUEST_ID_HEADER,
  SERVICE_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  signRequest,
} from './auth/request-signing';
import { ErrorCode, errors } from './errors';
import type { Logger } from './logger';

/**
 * How one subgraph calls another: signed like the router's calls (so production subgraphs accept
 * it), on behalf of the same viewer (their token is passed on), with a deadline, retries with
 * backoff for reads only, and a circuit breaker so a dead dependency fails fast instead of tying
 * up every request.
 */
export interface SubgraphClientOptions {
  /** The dependency's name, for errors and logs (e.g. `locations`). */
  name: string;
  url: string;
  secret: string;
  logger: Logger;
  timeoutMs?: number;
  /** Extra attempts for idempotent reads after a network error, timeout or 5xx. */
  retries?: number;
  retryBaseMs?: number;
  /** Consecutive failures that open the breaker, and how long it stays open before one trial call. */
  breakerThreshold?: number;
  breakerOpenMs?: number;
  fetch?: typeof fetch;
  /** Call as this service (e.g. `orders`): the callee may then allow saga steps the viewer could not. */
  service?: string;
}

/** The part of a request context a call is made on behalf of. */
export type CallContext = Pick<BaseContext, 'requestId' | 'authorization' | 'clientAddress'>;

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
]);

class RetryableFailure extends Error {}

type BreakerState =
  { kind: 'closed'; failures: number } | { kind: 'open'; until: number } | { kind: 'half-open' };

export class SubgraphClient {
  private breaker: BreakerState = { kind: 'closed', failures: 0 };
  private readonly fetch: typeof fetch;

  constructor(private readonly options: SubgraphClientOptions) {
    this.fetch = options.fetch ?? fetch;
  }

  get breakerState(): BreakerState['kind'] {
    return this.breaker.kind;
  }

  /** A read: retried on transient failures. */
  query<Data>(ctx: CallContext, document: string, variables?: Record<string, unknown>): Promise<Data> {
    return this.call<Data>(ctx, document, variables, true);
  }

  /** A write: never retried here (the caller decides, e.g. with an idempotency key). */
  mutate<Data>(ctx: CallContext, document: string, variables?: Record<string, unknown>): Promise<Data> {
    return this.call<Data>(ctx, document, variables, false);
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
      try {
        const data = await this.attempt<Data>(ctx, query, variables);
        this.breaker = { kind: 'closed', failures: 0 };
        return data;
      } catch (error) {
        if (!(error instanceof RetryableFailure)) {
          this.breaker = { kind: 'closed', failures: 0 };
          throw error;
        }
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
        query,
        operationName: null,
        variables: variables ?? null,
      }),
    };
    if (authorization) headers.authorization = authorization;
    if (clientAddress) headers[CLIENT_ADDRESS_HEADER] = clientAddress;
    if (this.options.service) headers[SERVICE_HEADER] = this.options.service;
    let response: Response;
    try {
      response = await this.fetch(this.options.url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 3000),
      });
    } catch (error) {
      throw new RetryableFailure(error instanceof Error ? error.message : String(error));
    }
    if (response.status >= 500) {
      await response.body?.cancel();
      throw new RetryableFailure(`HTTP ${response.status}`);
    }
    const body = (await response.json().catch(() => null)) as {
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
    if (!body?.data) throw new RetryableFailure(`HTTP ${response.status} without data`);
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
