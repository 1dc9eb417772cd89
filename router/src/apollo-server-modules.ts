// Apollo Server hands the gateway each operation in a request context it builds with an object
// literal holding a `status` getter and setter (utils/makeGatewayGraphQLRequestContext.js). V8 gives
// every object made that way a hidden class of its own, whose accessors are that request's
// closures, kept from the literal's shared class by a transition that only a full mark-compact
// clears. So every request's context, and through it everything the request held (its Express
// request and response, the gateway's result), survived young-generation collections, was
// promoted and left to the next mark-compact: about one a second at 300 requests/s, a third of
// the router's CPU with the concurrent marking threads (README "Performance → Router"). This
// replaces that function by one building the same context (the same fields and values, headers
// and status read and written through to Apollo's) from classes, whose accessors every request
// shares. router/test/apollo-server-modules.test.ts holds the two equal and checks in V8 that
// two contexts now share one hidden class.
import { dirname, join } from 'node:path';
import type { HeaderMap } from '@apollo/server';

type Pairs = Iterable<[string, string]>;

/** Apollo's FetcherHeadersForHeaderMap: the gateway's `Headers` view of Apollo's HeaderMap. */
export class GatewayHeaders implements Pairs {
  constructor(private readonly map: HeaderMap) {}
  append(name: string, value: string): void {
    if (this.map.has(name)) this.map.set(name, `${this.map.get(name)}, ${value}`);
    else this.map.set(name, value);
  }
  delete(name: string): void {
    this.map.delete(name);
  }
  get(name: string): string | null {
    return this.map.get(name) ?? null;
  }
  has(name: string): boolean {
    return this.map.has(name);
  }
  set(name: string, value: string): void {
    this.map.set(name, value);
  }
  entries() {
    return this.map.entries();
  }
  keys() {
    return this.map.keys();
  }
  values() {
    return this.map.values();
  }
  [Symbol.iterator]() {
    return this.map.entries();
  }
}

/** What Apollo's request context holds that the gateway's is made from. */
interface ApolloRequestContext {
  request: {
    query?: string;
    operationName?: string;
    variables?: unknown;
    extensions?: unknown;
    http?: { method: string; search: string; headers: HeaderMap };
  };
  response: { http: { headers: HeaderMap; status?: number } };
  schema: unknown;
  contextValue: unknown;
  queryHash: unknown;
  document: unknown;
  source: unknown;
  operationName: unknown;
  operation: unknown;
  errors: unknown;
  metrics: unknown;
  overallCachePolicy: unknown;
  requestIsBatched: unknown;
}

/** The response's `http`: headers and a status read and written through to Apollo's. */
class GatewayResponseHttp {
  readonly headers: GatewayHeaders;
  constructor(private readonly apollo: ApolloRequestContext) {
    this.headers = new GatewayHeaders(apollo.response.http.headers);
  }
  get status(): number | undefined {
    return this.apollo.response.http.status;
  }
  set status(status: number | undefined) {
    this.apollo.response.http.status = status;
  }
}

/** The same context as Apollo Server 4's makeGatewayGraphQLRequestContext, from classes. */
export function makeGatewayRequestContext(
  apollo: ApolloRequestContext,
  server: { logger: unknown; cache: unknown },
  internals: { includeStacktraceInErrorResponses?: boolean },
) {
  const given = apollo.request;
  const request: Record<string, unknown> = {};
  if ('query' in given) request.query = given.query;
  if ('operationName' in given) request.operationName = given.operationName;
  if ('variables' in given) request.variables = given.variables;
  if ('extensions' in given) request.extensions = given.extensions;
  if (given.http) {
    const { method, search, headers } = given.http;
    const needQuestion = search !== '' && !search.startsWith('?');
    request.http = {
      method,
      url: `https://unknown-url.invalid/${needQuestion ? '?' : ''}${search}`,
      headers: new GatewayHeaders(headers),
    };
  }
  return {
    request,
    response: { http: new GatewayResponseHttp(apollo) },
    logger: server.logger,
    schema: apollo.schema,
    schemaHash: 'schemaHash no longer exists since Apollo Server 4',
    context: apollo.contextValue,
    cache: server.cache,
    queryHash: apollo.queryHash,
    document: apollo.document,
    source: apollo.source,
    operationName: apollo.operationName,
    operation: apollo.operation,
    errors: apollo.errors,
    metrics: apollo.metrics,
    debug: internals.includeStacktraceInErrorResponses,
    overallCachePolicy: apollo.overallCachePolicy,
    requestIsBatched: apollo.requestIsBatched,
  };
}

/** Apollo Server's module (CommonJS build: the one the router loads), by path past its exports map. */
export const apolloGatewayContextModule = join(
  dirname(require.resolve('@apollo/server')),
  'utils',
  'makeGatewayGraphQLRequestContext.js',
);

const exported = require(apolloGatewayContextModule) as { makeGatewayGraphQLRequestContext: unknown };
/** Apollo's own, for the test. */
export const apolloMakeGatewayRequestContext = exported.makeGatewayGraphQLRequestContext;
if (typeof apolloMakeGatewayRequestContext !== 'function')
  throw new Error(`${apolloGatewayContextModule} no longer exports makeGatewayGraphQLRequestContext`);
// The request pipeline reads the export at each call (`(0, module_1.makeGatewayGraphQLRequestContext)(...)`).
exported.makeGatewayGraphQLRequestContext = makeGatewayRequestContext;
