// The last handler of /graphql: the request to Apollo Server and its answer back, as
// @as-integrations/express5 does, with less work per request (profiled: README "Performance →
// Router"): the query string is cut from the URL rather than parsed by `url.parse` (which it falls
// back to for any URL it would have to escape), and a complete answer is written with its length
// in one `end` instead of through Express's `res.send` (charset, content-type parsing, freshness).
// The answer is the same bytes with the same status and headers.
import { parse as parseUrl } from 'node:url';
import { HeaderMap, type ApolloServer, type BaseContext, type HTTPGraphQLRequest } from '@apollo/server';
import type { Request, RequestHandler, Response } from 'express';

/** A query string with nothing `url.parse` would escape or cut (a `#`, quotes, spaces, braces...). */
const PLAIN_SEARCH = /^\?[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*$/;

/** `url.parse(url).search ?? ''`, without parsing the URL when it is plain. */
export function searchOf(url: string): string {
  const mark = url.indexOf('?');
  if (mark === -1 && !url.includes('#')) return '';
  const search = mark === -1 ? '' : url.slice(mark);
  if (mark !== -1 && PLAIN_SEARCH.test(search) && !url.slice(0, mark).includes('#')) return search;
  return parseUrl(url).search ?? '';
}

/** `application/json; charset=utf-8` and the like: what Express's `res.send` would write unchanged. */
const UTF8_CONTENT_TYPE = /^[a-z]+\/[a-z0-9.+-]+; charset=utf-8$/;

export function apolloHandler<Context extends BaseContext>(
  server: ApolloServer<Context>,
  options: { context: (args: { req: Request; res: Response }) => Promise<Context> },
): RequestHandler {
  const { context } = options;
  server.assertStarted('apolloHandler()');
  return async (req, res) => {
    if (!('body' in req)) {
      res.status(500);
      res.send(
        '`req.body` is not set; this probably means you forgot to set up the `json` middleware before the Apollo Server middleware.',
      );
      return;
    }
    const headers = new HeaderMap();
    for (const key in req.headers) {
      const value = req.headers[key];
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const httpGraphQLRequest: HTTPGraphQLRequest = {
      method: req.method.toUpperCase(),
      headers,
      search: searchOf(req.url),
      body: req.body as unknown,
    };
    const response = await server.executeHTTPGraphQLRequest({
      httpGraphQLRequest,
      context: () => context({ req, res }),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status || 200;
    if (response.body.kind === 'complete') {
      const body = response.body.string;
      const contentType = res.getHeader('content-type');
      // Anything Express's res.send would change or answer differently goes through it.
      if (
        req.method === 'HEAD' ||
        typeof contentType !== 'string' ||
        !UTF8_CONTENT_TYPE.test(contentType) ||
        res.statusCode === 204 ||
        res.statusCode === 304 ||
        res.statusCode === 205 ||
        res.getHeader('etag') !== undefined ||
        res.getHeader('last-modified') !== undefined
      ) {
        res.send(body);
        return;
      }
      // The same header names (and so the same bytes) as res.send.
      res.setHeader('Content-Type', contentType);
      res.setHeader('Content-Length', String(Buffer.byteLength(body)));
      res.end(body, 'utf8');
      return;
    }
    for await (const chunk of response.body.asyncIterator) {
      res.write(chunk);
      // compression's res.flush, when one is mounted.
      const { flush } = res as unknown as { flush?: () => void };
      if (typeof flush === 'function') flush.call(res);
    }
    res.end();
  };
}
