import http from 'node:http';
import { z } from '../env';

/**
 * How long an HTTP server waits for a client, and how many it holds at once: a client that sends
 * half a request (slow headers or a slow body) is cut off, and a flood of idle connections cannot
 * take every file descriptor. Node's requestTimeout covers receiving the request only, never the
 * response, so SSE streams and upgraded WebSockets (detached from the HTTP parser) are unaffected.
 */
export interface HttpServerPolicy {
  /** Time to receive a request's headers (Node's headersTimeout). */
  headersTimeoutMs: number;
  /** Time to receive the whole request, headers and body (Node's requestTimeout). */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open between requests. */
  keepAliveTimeoutMs: number;
  /** Connections held at once; the server closes any beyond it at once (server.maxConnections). */
  maxConnections: number;
}

/**
 * Keep-alive above a typical load balancer's idle timeout (60 s), so the balancer, not us, closes
 * idle connections (no request racing a close); headers a bit above that, as Node requires
 * headersTimeout <= requestTimeout and the classic advice puts it above keep-alive.
 */
export const DEFAULT_HTTP_SERVER_POLICY: HttpServerPolicy = {
  headersTimeoutMs: 66_000,
  requestTimeoutMs: 70_000,
  keepAliveTimeoutMs: 65_000,
  maxConnections: 10_000,
};

const milliseconds = (fallback: number) => z.coerce.number().int().min(100).max(3_600_000).default(fallback);

/** The variables of the policy, for a process's env shape (router and every subgraph). */
export function httpServerPolicyShape() {
  const d = DEFAULT_HTTP_SERVER_POLICY;
  return {
    HTTP_HEADERS_TIMEOUT_MS: milliseconds(d.headersTimeoutMs),
    HTTP_REQUEST_TIMEOUT_MS: milliseconds(d.requestTimeoutMs),
    HTTP_KEEP_ALIVE_TIMEOUT_MS: milliseconds(d.keepAliveTimeoutMs),
    HTTP_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(1_000_000).default(d.maxConnections),
  } as const;
}

export function httpServerPolicyFromEnv(env: Record<string, unknown>): HttpServerPolicy {
  return {
    headersTimeoutMs: Number(env.HTTP_HEADERS_TIMEOUT_MS),
    requestTimeoutMs: Number(env.HTTP_REQUEST_TIMEOUT_MS),
    keepAliveTimeoutMs: Number(env.HTTP_KEEP_ALIVE_TIMEOUT_MS),
    maxConnections: Number(env.HTTP_MAX_CONNECTIONS),
  };
}

/** Node refuses a headers timeout longer than the request timeout. */
export function httpServerPolicyProblems(env: Record<string, unknown>): string[] {
  return Number(env.HTTP_HEADERS_TIMEOUT_MS) > Number(env.HTTP_REQUEST_TIMEOUT_MS)
    ? ['HTTP_HEADERS_TIMEOUT_MS: must not be above HTTP_REQUEST_TIMEOUT_MS']
    : [];
}

/** An Express application's request and response prototypes (`app.request`, `app.response`). */
export interface RequestPrototypes {
  request: object;
  response: object;
}

/**
 * Node's request and response classes with the given prototypes. Express gives every request and
 * response its application's prototypes with `Object.setPrototypeOf`; V8 then keeps each of them
 * through young-generation collections, so every request's objects were promoted and collected by
 * a full mark-compact: about one a second at 300 requests/s on the router, and half the CPU of a
 * trivial Express route (README "Performance → Router"). Created with those prototypes already,
 * Express's call changes nothing (V8 returns early when the prototype is the same).
 */
function classesWith(prototypes: RequestPrototypes) {
  function Request(this: http.IncomingMessage, socket: import('node:net').Socket) {
    http.IncomingMessage.call(this, socket);
  }
  Request.prototype = prototypes.request;
  function Response(this: http.ServerResponse, req: http.IncomingMessage, options?: unknown) {
    (http.ServerResponse as unknown as (req: http.IncomingMessage, options?: unknown) => void).call(
      this,
      req,
      options,
    );
  }
  Response.prototype = prototypes.response;
  return {
    IncomingMessage: Request as unknown as typeof http.IncomingMessage,
    ServerResponse: Response as unknown as typeof http.ServerResponse,
  };
}

/**
 * An HTTP server for `app` that applies the policy. `prototypes`: the Express application that
 * serves (some of) its requests, when `app` is not that application itself.
 */
export function createHttpServer(
  app: http.RequestListener,
  policy: HttpServerPolicy = DEFAULT_HTTP_SERVER_POLICY,
  prototypes: RequestPrototypes | undefined = isExpressApp(app) ? app : undefined,
): http.Server {
  const server = http.createServer(
    {
      headersTimeout: policy.headersTimeoutMs,
      requestTimeout: policy.requestTimeoutMs,
      // Node checks the two timeouts on this interval (30 s by default): often enough to honour short ones.
      connectionsCheckingInterval: Math.min(1000, Math.max(100, Math.floor(policy.headersTimeoutMs / 4))),
      ...(prototypes ? classesWith(prototypes) : {}),
    },
    app,
  );
  server.keepAliveTimeout = policy.keepAliveTimeoutMs;
  server.maxConnections = policy.maxConnections;
  return server;
}

function isExpressApp(app: http.RequestListener): app is http.RequestListener & RequestPrototypes {
  const { request, response } = app as unknown as Partial<RequestPrototypes>;
  return typeof request === 'object' && request !== null && typeof response === 'object' && response !== null;
}
