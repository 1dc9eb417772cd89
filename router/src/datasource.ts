// How the gateway calls a subgraph: the caller's token, the request id and the client address are
// forwarded, the deadline travels in x-flow-deadline, and the request is signed (HMAC over time,
// request id, token, deadline and the exact query/operationName/variables sent) so the subgraph can refuse anything that did not come
// through the router (packages/subgraph-kit/src/subgraph-server.ts verifies it).
import { randomUUID } from 'node:crypto';
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import type { Histogram } from 'prom-client';
import { CLIENT_ADDRESS_HEADER } from '@flow/subgraph-kit';
import {
  DEADLINE_HEADER,
  InternalErrorCode,
  REQUEST_ID_HEADER,
  SIGNATURE_HEADER,
  signRequest,
  TIMESTAMP_HEADER,
  type Logger,
} from '@flow/core';
import type { RouterContext } from './context';
import { mayHaveReachedOrders, pendingPlacement, placementOf } from './placement';
import { describeSubgraphFailure, failureResponse } from './subgraph-failures';

// The gateway's own copies of these types (its nested @apollo/* versions differ from the hoisted ones).
type Fetcher = RemoteGraphQLDataSource['fetcher'];
type FetcherResponse = Parameters<RemoteGraphQLDataSource['errorFromResponse']>[0];
type GatewayGraphQLResponse = Awaited<ReturnType<RemoteGraphQLDataSource['process']>>;

export interface SignedDataSourceOptions {
  name: string;
  url: string;
  secret: string;
  logger: Logger;
  timeoutMs: number;
  /** The deadline of placeOrder's call (orders only): above the placement saga's worst case. */
  placeOrderTimeoutMs?: number;
  duration?: Histogram<'subgraph' | 'outcome'>;
}

/**
 * Node's own fetch (undici) with a deadline. Unlike the gateway's default (make-fetch-happen), it
 * never routes through an HTTP proxy taken from the environment: subgraph traffic stays local.
 * The deadline is the one signed into the request (willSendRequest), so caller and subgraph agree.
 */
export function fetchWithTimeout(fallbackMs: number): Fetcher {
  return async (url, init) => {
    // The gateway passes its headers as a plain object with lower-case names.
    const headers = init?.headers as Record<string, string | undefined> | undefined;
    const deadline = Number(headers?.[DEADLINE_HEADER]);
    const timeoutMs =
      Number.isFinite(deadline) && deadline > 0 ? Math.max(1, deadline - Date.now()) : fallbackMs;
    return (await fetch(url, {
      method: init?.method,
      headers: init?.headers,
      body: init?.body,
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    })) as unknown as FetcherResponse;
  };
}

export class SignedDataSource extends RemoteGraphQLDataSource<RouterContext> {
  private readonly options: SignedDataSourceOptions;

  constructor(options: SignedDataSourceOptions) {
    super({
      url: options.url,
      apq: false,
      honorSubgraphCacheControlHeader: false,
      fetcher: fetchWithTimeout(options.timeoutMs),
    });
    this.options = options;
  }

  override async process(
    options: GraphQLDataSourceProcessOptions<RouterContext>,
  ): Promise<GatewayGraphQLResponse> {
    const stop = this.options.duration?.startTimer({ subgraph: this.options.name });
    try {
      const response = await super.process(options);
      stop?.({ outcome: response.errors?.length ? 'errors' : 'ok' });
      return response;
    } catch (error) {
      stop?.({ outcome: 'failed' });
      // Health checks and schema loading have no client waiting for paths: let them throw.
      if (!('incomingRequestContext' in options)) throw error;
      return this.failedCallResponse(error, options);
    }
  }

  /**
   * A failed call answered as errors at the paths it should have filled (src/subgraph-failures.ts):
   * the gateway keeps what the other calls returned, and each error names this subgraph.
   */
  private failedCallResponse(
    error: unknown,
    options: GraphQLDataSourceProcessOptions<RouterContext>,
  ): GatewayGraphQLResponse {
    const { name, logger } = this.options;
    let failure = describeSubgraphFailure(error, name);
    const placement = this.placement(options);
    if (placement && mayHaveReachedOrders(error)) failure = pendingPlacement(placement, failure.cause);
    const requestLogger = 'incomingRequestContext' in options ? options.context.logger : undefined;
    (requestLogger ?? logger).warn(
      { subgraph: name, code: failure.code, cause: failure.cause },
      'subgraph call failed',
    );
    return failureResponse(failure, name, options.request.query, options.request.variables);
  }

  override willSendRequest(options: GraphQLDataSourceProcessOptions<RouterContext>): void {
    const { request } = options;
    const headers = request.http?.headers;
    if (!headers) throw new Error('the gateway sent a request without HTTP headers');
    // Health checks and schema loading carry no incoming request (and no context).
    const context = 'incomingRequestContext' in options ? options.context : undefined;
    const requestId = context?.requestId ?? randomUUID();
    const authorization = context?.authorization ?? '';

    headers.delete('authorization');
    if (authorization) headers.set('authorization', authorization);
    headers.set(REQUEST_ID_HEADER, requestId);
    headers.delete(CLIENT_ADDRESS_HEADER);
    if (context?.clientAddress) headers.set(CLIENT_ADDRESS_HEADER, context.clientAddress);

    const timestamp = String(Math.floor(Date.now() / 1000));
    headers.set(TIMESTAMP_HEADER, timestamp);
    // When the fetcher gives up: the subgraph stops this request's remaining work then (signed,
    // so a client cannot lengthen it).
    const timeoutMs = this.placement(options) ? this.options.placeOrderTimeoutMs! : this.options.timeoutMs;
    const deadline = String(Date.now() + timeoutMs);
    headers.set(DEADLINE_HEADER, deadline);
    headers.set(
      SIGNATURE_HEADER,
      signRequest(this.options.secret, {
        timestamp,
        requestId,
        authorization,
        clientAddress: context?.clientAddress ?? '',
        deadline,
        query: request.query ?? '',
        operationName: request.operationName,
        variables: request.variables,
      }),
    );
  }

  private placement(options: GraphQLDataSourceProcessOptions<RouterContext>) {
    if (this.options.placeOrderTimeoutMs === undefined || this.options.name !== 'orders') return null;
    return placementOf(options.request.query, options.request.variables);
  }

  /** A non-2xx answer is a subgraph failure: logged in full, shown to clients only outside production (masked by formatError). */
  override async errorFromResponse(response: FetcherResponse): Promise<GraphQLError> {
    let body: unknown;
    try {
      body = await this.parseBody(response);
    } catch {
      body = undefined;
    }
    this.options.logger.error(
      {
        subgraph: this.options.name,
        status: response.status,
        body: typeof body === 'string' ? body.slice(0, 2000) : body,
      },
      'subgraph answered with an HTTP error',
    );
    return new GraphQLError(`The ${this.options.name} service answered HTTP ${response.status}.`, {
      extensions: { code: InternalErrorCode.SUBGRAPH_HTTP_ERROR, status: response.status },
    });
  }
}
