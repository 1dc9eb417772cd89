// The router's own Apollo handler (src/apollo-http.ts) must answer exactly as
// @as-integrations/express5 did: two Express apps with the same middlewares in front of the same
// Apollo Server, one with each handler, and every request of a matrix (POST, GET, HEAD, other
// methods, content types, CSRF, bad JSON, errors, variables, odd query strings) sent to both over
// raw HTTP: status line, headers (names as written, in order; the Date aside) and body must be
// the same bytes.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseUrl } from 'node:url';
import { ApolloServer, type BaseContext } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type RequestHandler } from 'express';
import { GraphQLError } from 'graphql';
import { apolloHandler, searchOf } from '../src/apollo-http';
import { CSRF_PREVENTION_HEADERS } from '../src/csrf';

const typeDefs = `#graphql
  type Query {
    hello(name: String): String!
    fails: String
    nonNull: String!
    list(n: Int!): [Item!]!
  }
  type Item { id: ID! label: String }
  type Mutation { touch: Boolean! }
`;
const resolvers = {
  Query: {
    hello: (_: unknown, { name }: { name?: string }) => `hello ${name ?? 'world'} é ✓`,
    fails: () => {
      throw new GraphQLError('refused', { extensions: { code: 'FORBIDDEN', http: { status: 403 } } });
    },
    nonNull: () => null,
    list: (_: unknown, { n }: { n: number }) =>
      Array.from({ length: n }, (_x, i) => ({ id: String(i), label: i % 2 ? null : `item ${i}` })),
  },
  Mutation: { touch: () => true },
};

interface RawAnswer {
  status: string;
  headers: string[];
  body: string;
}

function send(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const pairs: string[] = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2)
          if (res.rawHeaders[i]!.toLowerCase() !== 'date')
            pairs.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
        resolve({
          status: `${res.statusCode} ${res.statusMessage}`,
          headers: pairs,
          body: Buffer.concat(chunks).toString('latin1'),
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the Apollo handler', () => {
  let apollo: ApolloServer<BaseContext>;
  const servers: http.Server[] = [];
  const ports: number[] = [];

  beforeAll(async () => {
    apollo = new ApolloServer({
      typeDefs,
      resolvers,
      csrfPrevention: { requestHeaders: CSRF_PREVENTION_HEADERS },
      allowBatchedHttpRequests: false,
    });
    await apollo.start();
    const context = async () => ({});
    const handlers: RequestHandler[] = [
      expressMiddleware(apollo, { context }),
      apolloHandler(apollo, { context }),
    ];
    for (const handler of handlers) {
      const app = express();
      app.disable('x-powered-by');
      app.set('etag', false);
      app.use((_req, res, next) => {
        res.setHeader('x-request-id', 'fixed-id');
        next();
      });
      app.use('/graphql', express.json({ limit: 1000 }), handler);
      app.use(
        (
          error: { status?: number },
          _req: express.Request,
          res: express.Response,
          _next: express.NextFunction,
        ) => res.status(error.status ?? 500).json({ errors: [{ message: 'bad' }] }),
      );
      const server = http.createServer(app);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      servers.push(server);
      ports.push((server.address() as AddressInfo).port);
    }
  });

  afterAll(async () => {
    for (const server of servers) await new Promise((resolve) => server.close(resolve));
    await apollo.stop();
  });

  const json = { 'content-type': 'application/json' };
  const post = (body: unknown, headers: Record<string, string> = json) => ({
    method: 'POST',
    path: '/graphql',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const get = (search: string, headers: Record<string, string> = { 'apollo-require-preflight': '1' }) => ({
    method: 'GET',
    path: `/graphql${search}`,
    headers,
    body: undefined,
  });
  const cases: Array<{ method: string; path: string; headers: Record<string, string>; body?: string }> = [
    post({ query: '{ hello }' }),
    post({ query: 'query Q($n: String) { hello(name: $n) }', variables: { n: 'ünï' } }),
    post({ query: '{ a: hello b: hello(name: "x") __typename }' }),
    post({ query: 'query L($n: Int!) { list(n: $n) { id label } }', variables: { n: 30 } }),
    post({ query: '{ fails hello }' }),
    post({ query: '{ nonNull }' }),
    post({ query: '{ nope }' }),
    post({ query: '{ hello' }),
    post({ query: 'mutation { touch }' }),
    post({ query: '{ hello }', operationName: 'Missing' }),
    post({ query: 'query A { hello } query B { hello }' }),
    post({ query: 'query A { hello } query B { hello }', operationName: 'B' }),
    post({ query: '{ hello }', variables: 'not an object' }),
    post({ nothing: true }),
    post([{ query: '{ hello }' }]),
    post('{"query": "{ hello }"', json),
    post({ query: `{ hello(name: "${'x'.repeat(2000)}") }` }),
    post({ query: '{ hello }' }, { 'content-type': 'text/plain' }),
    post(
      { query: '{ hello }' },
      { 'content-type': 'application/json; charset=utf-8', accept: 'application/graphql-response+json' },
    ),
    post({ query: '{ hello }' }, { ...json, accept: 'text/html' }),
    post(
      { query: '{ hello }' },
      { ...json, accept: 'application/json;q=0.5, application/graphql-response+json' },
    ),
    post({ query: '{ hello }' }, { 'content-type': 'application/x-www-form-urlencoded' }),
    post(
      { query: '{ hello }' },
      { ...json, 'if-none-match': '*', 'if-modified-since': new Date().toUTCString() },
    ),
    { ...post({ query: '{ hello }' }), path: '/graphql?debug=1&x=%20y' },
    { ...post({ query: '{ hello }' }), path: '/graphql?a="b"' },
    { ...post({ query: '{ hello }' }), path: '/graphql#frag' },
    get('?query=%7B%20hello%20%7D'),
    get('?query={hello}'),
    get('?query=%7Bhello%7D&extensions=%7B%7D&variables=%7B%7D'),
    get('?query=%7Bhello%7D#x'),
    get('?query=mutation%7Btouch%7D'),
    get('?query=%7Bhello%7D', {}),
    get('?query=%7Bhello%7D', { 'if-none-match': '"x"', 'apollo-require-preflight': '1' }),
    get(''),
    { ...get('?query=%7Bhello%7D'), method: 'HEAD' },
    { ...post({ query: '{ hello }' }), method: 'PUT' },
    { ...post({ query: '{ hello }' }), method: 'DELETE' },
    { method: 'OPTIONS', path: '/graphql', headers: {}, body: undefined },
  ];

  it.each(cases.map((c, i) => [i, c.method, c.path, c.body?.slice(0, 60) ?? '', c] as const))(
    'answers request %i (%s %s %s) with the same bytes as the Express integration',
    async (_i, _method, _path, _body, c) => {
      const [expected, actual] = await Promise.all(
        ports.map((port) => send(port, c.method, c.path, c.headers, c.body)),
      );
      expect(actual).toEqual(expected);
    },
  );

  it('cuts the query string as url.parse does', () => {
    const urls = [
      '/graphql',
      '/graphql?',
      '/graphql?query=%7Bhello%7D',
      '/graphql?a=1&b=2#frag',
      '/graphql#frag?x',
      '/graphql?a="b"',
      '/graphql?a=b c',
      '/graphql?a={b}|c^d`e',
      '/graphql?a=\\b',
      '/graphql?a=ü',
      '/graph ql?x=1',
      '//host/graphql?x=1',
      '/graphql??x',
      '/graphql?x=%zz',
    ];
    for (const url of urls) expect([url, searchOf(url)]).toEqual([url, parseUrl(url).search ?? '']);
  });
});
