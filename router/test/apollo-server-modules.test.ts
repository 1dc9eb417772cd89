// The gateway's request context, built from classes (src/apollo-server-modules.ts): the same
// fields and behaviour as Apollo Server's own, and in V8 a shared hidden class instead of a
// dictionary-mode object per request (what kept every request's objects through young collections).
import { join } from 'node:path';
import { HeaderMap } from '@apollo/server';
import {
  apolloGatewayContextModule,
  apolloMakeGatewayRequestContext,
  makeGatewayRequestContext,
} from '../src/apollo-server-modules';
import { inNode } from './in-node';

type Make = (apollo: unknown, server: unknown, internals: unknown) => Record<string, unknown>;
const apollos = apolloMakeGatewayRequestContext as Make;
const ours = makeGatewayRequestContext as unknown as Make;

function apolloContext(request: Record<string, unknown>) {
  return {
    request,
    response: { http: { headers: new HeaderMap([['cache-control', 'no-store']]), status: undefined } },
    schema: { schema: true },
    contextValue: { viewer: 'v' },
    queryHash: 'hash',
    document: { kind: 'Document' },
    source: '{ a }',
    operationName: 'A',
    operation: { kind: 'OperationDefinition' },
    errors: undefined,
    metrics: { captureTraces: false },
    overallCachePolicy: { maxAge: 0 },
    requestIsBatched: false,
  };
}

const SERVER = { logger: { name: 'logger' }, cache: { name: 'cache' } };

const REQUESTS: Array<Record<string, unknown>> = [
  { query: '{ a }', operationName: 'A', variables: { n: 1 }, extensions: { e: 1 } },
  { query: '{ a }' },
  {},
  ...['', '?x=1', 'x=1'].map((search) => ({
    query: '{ a }',
    http: { method: 'POST', search, headers: new HeaderMap([['authorization', 'Bearer t']]) },
  })),
];

/** A context's plain parts: everything but the header views and the response's accessors. */
function plain(context: Record<string, unknown>) {
  const { response: _response, request, ...rest } = context;
  const { http, ...requestRest } = request as { http?: { headers: unknown } };
  return { ...rest, request: requestRest, http: http && { ...http, headers: undefined } };
}

describe('the gateway request context Apollo Server builds (apollo-server-modules)', () => {
  it('is replaced in the module Apollo Server calls', () => {
    const installed = (require(apolloGatewayContextModule) as { makeGatewayGraphQLRequestContext: unknown })
      .makeGatewayGraphQLRequestContext;
    expect(installed).toBe(makeGatewayRequestContext);
    expect(installed).not.toBe(apolloMakeGatewayRequestContext);
  });

  it.each(REQUESTS.map((request, i) => [i, request]))(
    'holds what Apollo’s holds (request %i)',
    (_i, request) => {
      const internals = { includeStacktraceInErrorResponses: true };
      const theirs = apollos(apolloContext(request), SERVER, internals);
      const mine = ours(apolloContext(request), SERVER, internals);
      expect(Object.keys(mine)).toEqual(Object.keys(theirs));
      expect(Object.keys(mine.request as object)).toEqual(Object.keys(theirs.request as object));
      expect(plain(mine)).toEqual(plain(theirs));
    },
  );

  it('reads and writes the status and headers through to Apollo’s, as Apollo’s does', () => {
    const run = (make: Make) => {
      const apollo = apolloContext({
        query: '{ a }',
        http: { method: 'POST', search: '', headers: new HeaderMap([['x-a', '1']]) },
      });
      const context = make(apollo, SERVER, {});
      const response = (context.response as { http: { status?: number; headers: GatewayHeadersLike } }).http;
      const requestHeaders = (context.request as { http: { headers: GatewayHeadersLike } }).http.headers;
      const seen: unknown[] = [response.status];
      response.status = 207;
      seen.push(apollo.response.http.status, response.status);
      apollo.response.http.status = 208 as unknown as undefined;
      seen.push(response.status);
      for (const headers of [response.headers, requestHeaders]) {
        headers.append('x-a', '2');
        headers.append('x-b', '3');
        headers.set('x-c', '4');
        headers.delete('cache-control');
        seen.push(
          headers.get('x-a'),
          headers.get('nope'),
          headers.has('x-b'),
          [...headers],
          [...headers.entries()],
          [...headers.keys()],
          [...headers.values()],
        );
      }
      seen.push(
        [...apollo.response.http.headers],
        [...(apollo.request.http as { headers: HeaderMap }).headers],
      );
      return seen;
    };
    expect(run(ours)).toEqual(run(apollos));
  });

  it('shares one hidden class between requests, where Apollo’s is a dictionary per request (V8)', async () => {
    const source = join(__dirname, '..', 'src', 'apollo-server-modules.ts');
    const result = await inNode(
      `
const modules = require(${JSON.stringify(source)});
const { HeaderMap } = require('@apollo/server');
const context = () => ({
  request: { query: '{ a }', http: { method: 'POST', search: '', headers: new HeaderMap() } },
  response: { http: { headers: new HeaderMap() } },
});
const make = (fn) => [fn(context(), {}, {}), fn(context(), {}, {})].map((c) => c.response.http);
const [a, b] = make(modules.makeGatewayRequestContext);
const [theirs] = make(modules.apolloMakeGatewayRequestContext);
console.log(JSON.stringify({
  oursFast: %HasFastProperties(a),
  oursShared: %HaveSameMap(a, b),
  apollosFast: %HasFastProperties(theirs),
}));
`,
      ['--allow-natives-syntax'],
    );
    // If Apollo's own ever becomes fast, the replacement can go.
    expect(result).toEqual({ oursFast: true, oursShared: true, apollosFast: false });
  }, 60_000);
});

interface GatewayHeadersLike extends Iterable<[string, string]> {
  append(name: string, value: string): void;
  delete(name: string): void;
  get(name: string): string | null;
  has(name: string): boolean;
  set(name: string, value: string): void;
  entries(): Iterable<[string, string]>;
  keys(): Iterable<string>;
  values(): Iterable<string>;
}
