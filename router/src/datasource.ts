// How the gateway calls a subgraph: the caller's token, the request id and the client address are
// forwarded, the deadline travels in x-flow-deadline, and the request is signed (HMAC over time,
// request id, token, deadline and the exact query/operationName/variables sent) so the subgraph can refuse anything that did not come
// through the router (packages/subgraph-kit/src/subgraph-server.ts verifies it).
import { randomUUID } from 'node:crypto';
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import type { Histogram } from 'prom-client';
import { batchSignedOperation, CLIENT_ADDRESS_HEADER } from '@flow/subgraph-kit';
import {
  DEADLINE_HEADER,
  InternalErrorCode,
  REQUEST_ID_HEADER,
  SIGNATURE_HEADER,
  signRequest,
  TIMESTAMP_HEADER,
  type Logger,
  type SignedParts,
} from '@flow/core';
import type { RouterContext } from './context';
import { mayHaveReachedOrders, pendingPlacement, placementOf } from './placement';
import { describeSubgraphFailure, failureResponse } from './subgraph-failures';
import { subgraphClient, type SubgraphAnswer, type SubgraphClient } from './subgraph-http';
import { socketSubgraphClient } from './subgraph-sockets';

// The gateway's own copy of this type (its nested @apollo/* versions differ from the hoisted ones).
type GatewayGraphQLResponse = Awaited<ReturnType<RemoteGraphQLDataSource['process']>>;

export interface SignedDataSourceOptions {
  name: string;
  url: string;
  secret: string;
  logger: Logger;
  timeoutMs: number;
  /** The deadline of placeOrder's call (orders only): above the placement saga's worst case. */
  placeOrderTimeoutMs?: number;
  /** Whether the subgraph accepts a JSON array of operations (Flow's subgraph kit does); default true. */
  batching?: boolean;
  /** Flow's own subgraph over http: the router's socket client (subgraph-sockets.ts); else node:http. */
  ownSockets?: boolean;
  duration?: Histogram<'subgraph' | 'outcome'>;
}

interface PendingCall {
  options: GraphQLDataSourceProcessOptions<RouterContext>;
  operation: Omit<GraphQLDataSourceProcessOptions<RouterContext>['request'], 'http'>;
  body: string;
  context: RouterContext | undefined;
  given: Iterable<[string, string]> | undefined;
  resolve?: (answer: Answer) => void;
  reject?: (error: unknown) => void;
}

/** A call's own HTTP answer (each caller parses its own copy), or its result out of a batch. */
type Answer = SubgraphAnswer | { result: GatewayGraphQLResponse; text?: string };

const isJson = (contentType: string) =>
  contentType.startsWith('application/json') || contentType.startsWith('application/graphql-response+json');

/**
 * The gateway's subgraph calls, sent by the router itself (src/subgraph-http.ts) rather than by
 * RemoteGraphQLDataSource's fetch: signed, with the deadline signed into the request as the
 * client's timeout. Identical queries in flight at the same time for the same caller (token and
 * client address, i.e. the same signature scope) share one call; mutations never do.
 */
export class SignedDataSource extends RemoteGraphQLDataSource<RouterContext> {
  private readonly options: SignedDataSourceOptions;
  private readonly client: SubgraphClient;
  private readonly inFlight = new Map<string, { answer: Promise<Answer>; holders: number }>();
  private readonly pending = new Map<RouterContext, PendingCall[]>();

  constructor(options: SignedDataSourceOptions) {
    super({ url: options.url, apq: false, honorSubgraphCacheControlHeader: false });
    this.options = options;
    this.client =
      options.ownSockets && options.url.startsWith('http:')
        ? socketSubgraphClient(options.url)
        : subgraphClient(options.url);
  }

  /** Drops the kept-alive connections. */
  close(): void {
    this.client.close();
  }

  override async process(
    options: GraphQLDataSourceProcessOptions<RouterContext>,
  ): Promise<GatewayGraphQLResponse> {
    const stop = this.options.duration?.startTimer({ subgraph: this.options.name });
    try {
      const response = await this.call(options);
      stop?.({ outcome: response.errors?.length ? 'errors' : 'ok' });
      return response;
    } catch (error) {
      stop?.({ outcome: 'failed' });
      // Health checks and schema loading have no client waiting for paths: let them throw.
      if (!('incomingRequestContext' in options)) throw error;
      return this.failedCallResponse(error, options);
    }
  }

  private async call(
    options: GraphQLDataSourceProcessOptions<RouterContext>,
  ): Promise<GatewayGraphQLResponse> {
    const { http: given, ...operation } = options.request;
    const query = operation.query;
    if (!query) throw new Error('Missing query');
    // Health checks and schema loading carry no incoming request (and no context).
    const context = 'incomingRequestContext' in options ? options.context : undefined;
    const body = JSON.stringify(operation);
    // The gateway writes its operations as `query …`, `{ … }` or `mutation …`.
    const shareable = query.startsWith('query') || query.startsWith('{');
    const key = shareable ? `${context?.authorization ?? ''}\n${context?.clientAddress ?? ''}\n${body}` : '';
    let shared = shareable ? this.inFlight.get(key) : undefined;
    if (shared) shared.holders += 1;
    else {
      const call: PendingCall = { options, operation, body, context, given: given?.headers };
      const batching = shareable && context && this.options.batching !== false;
      const answer = batching ? this.enqueue(call, context) : this.send([call], shareable);
      shared = { answer, holders: 1 };
      if (shareable) {
        this.inFlight.set(key, shared);
        const forget = () => {
          if (this.inFlight.get(key) === shared) this.inFlight.delete(key);
        };
        answer.then(forget, forget);
      }
    }
    const settled = await shared.answer;
    if ('status' in settled) {
      const { status, contentType, text } = settled;
      if (status < 200 || status > 299) throw this.httpError(status, contentType, text);
      const parsed: unknown = isJson(contentType) ? JSON.parse(text) : text;
      if (typeof parsed !== 'object' || parsed === null)
        throw new Error(`Expected JSON response body, but received: ${String(parsed)}`);
      return parsed as GatewayGraphQLResponse;
    }
    // The gateway merges (and mutates) what it receives: a result held by one caller only is
    // handed over (and nobody else can join any more); one shared between callers, copied for each.
    if (shared.holders === 1) {
      if (this.inFlight.get(key) === shared) this.inFlight.delete(key);
      return settled.result;
    }
    settled.text ??= JSON.stringify(settled.result);
    return JSON.parse(settled.text) as GatewayGraphQLResponse;
  }

  /**
   * The queries of one plan step for one client request, sent together: the gateway starts a
   * step's fetches in the same tick, so a step's calls to this subgraph become one batch.
   */
  private enqueue(call: PendingCall, context: RouterContext): Promise<Answer> {
    return new Promise<Answer>((resolve, reject) => {
      let batch = this.pending.get(context);
      if (!batch) {
        const created: PendingCall[] = [];
        batch = created;
        this.pending.set(context, created);
        setImmediate(() => {
          this.pending.delete(context);
          const answers = Promise.resolve().then<Answer | Answer[]>(() =>
            created.length === 1 ? this.send(created, true) : this.sendBatch(created),
          );
          answers.then(
            (settled) => {
              if (Array.isArray(settled)) created.forEach((c, i) => c.resolve!(settled[i]!));
              else created[0]!.resolve!(settled);
            },
            (error: unknown) => created.forEach((c) => c.reject!(error)),
          );
        });
      }
      batch.push({ ...call, resolve, reject });
    });
  }

  private async sendBatch(calls: PendingCall[]): Promise<Answer[]> {
    const operations = calls.map((c) => c.operation);
    const answer = await this.post(
      calls[0]!,
      `[${calls.map((c) => c.body).join(',')}]`,
      batchSignedOperation(operations),
      true,
    );
    const { status, contentType, text } = answer;
    if (status < 200 || status > 299) throw this.httpError(status, contentType, text);
    const results: unknown = isJson(contentType) ? JSON.parse(text) : text;
    if (!Array.isArray(results) || results.length !== calls.length)
      throw new Error(
        `Expected a JSON array of ${calls.length} results, but received: ${text.slice(0, 200)}`,
      );
    return results.map((result: unknown) => {
      if (typeof result !== 'object' || result === null)
        throw new Error(`Expected JSON response body, but received: ${String(result)}`);
      return { result: result as GatewayGraphQLResponse };
    });
  }

  private send(calls: PendingCall[], idempotent: boolean): Promise<Answer> {
    const call = calls[0]!;
    const { request } = call.options;
    return this.post(
      call,
      call.body,
      { query: request.query ?? '', operationName: request.operationName, variables: request.variables },
      idempotent,
    );
  }

  /** Signs and sends `body` (one operation or a batch) with the headers of `call`'s request. */
  private post(
    call: PendingCall,
    body: string,
    signed: Pick<SignedParts, 'query' | 'operationName' | 'variables'>,
    idempotent: boolean,
  ): Promise<SubgraphAnswer> {
    const { options, context } = call;
    const requestId = context?.requestId ?? randomUUID();
    const authorization = context?.authorization ?? '';
    const clientAddress = context?.clientAddress ?? '';
    const headers: Record<string, string> = {};
    for (const [name, value] of call.given ?? []) headers[name.toLowerCase()] = value;
    delete headers[CLIENT_ADDRESS_HEADER];
    delete headers.authorization;
    headers['content-type'] = 'application/json';
    if (authorization) headers.authorization = authorization;
    headers[REQUEST_ID_HEADER] = requestId;
    if (clientAddress) headers[CLIENT_ADDRESS_HEADER] = clientAddress;
    const now = Date.now();
    const timestamp = String(Math.floor(now / 1000));
    headers[TIMESTAMP_HEADER] = timestamp;
    // When the client gives up: the subgraph stops this request's remaining work then (signed,
    // so a client cannot lengthen it).
    const timeoutMs = this.placement(options) ? this.options.placeOrderTimeoutMs! : this.options.timeoutMs;
    const deadline = String(now + timeoutMs);
    headers[DEADLINE_HEADER] = deadline;
    headers[SIGNATURE_HEADER] = signRequest(this.options.secret, {
      timestamp,
      requestId,
      authorization,
      clientAddress,
      deadline,
      ...signed,
    });
    return this.client.post(headers, body, timeoutMs, idempotent);
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

  private placement(options: GraphQLDataSourceProcessOptions<RouterContext>) {
    if (this.options.placeOrderTimeoutMs === undefined || this.options.name !== 'orders') return null;
    return placementOf(options.request.query, options.request.variables);
  }

  /** A non-2xx answer is a subgraph failure: logged in full, shown to clients only outside production (masked by formatError). */
  private httpError(status: number, contentType: string, text: string): GraphQLError {
    let body: unknown = text;
    if (isJson(contentType)) {
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
    }
    this.options.logger.error(
      {
        subgraph: this.options.name,
        status,
        body: typeof body === 'string' ? body.slice(0, 2000) : body,
      },
      'subgraph answered with an HTTP error',
    );
    return new GraphQLError(`The ${this.options.name} service answered HTTP ${status}.`, {
      extensions: { code: InternalErrorCode.SUBGRAPH_HTTP_ERROR, status },
    });
  }
}
