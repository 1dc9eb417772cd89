import type { IncomingMessage, Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { ExecutionResult, GraphQLSchema } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { decodeJwt } from 'jose';
import { WebSocketServer, type WebSocket } from 'ws';
import { bearerToken, type Logger, type TokenVerifier, type Viewer } from '@flow/platform';
import type { RouterContext } from '../context';
import { clientAddressOf, type TrustProxy } from '../usage/client-address';
import { closeScopeWith, TOO_MANY_SOCKETS_CLOSE_CODE, type UsageCaps, type UsageScope } from '../usage/caps';
import type { PreparedOperation, createOperations } from './operations';

export interface WebSocketOptions {
  httpServer: Server;
  path: string;
  verifyToken: TokenVerifier;
  schema: () => GraphQLSchema;
  prepare: ReturnType<typeof createOperations>;
  connectionInitTimeoutMs: number;
  logger: Logger;
  caps?: UsageCaps;
  /** TRUST_PROXY, as Express compiled it: the client address is then the same as on HTTP. */
  trustProxy?: TrustProxy;
}

interface ConnectionState {
  viewer: Viewer | null;
  authorization: string | null;
  clientAddress: string | null;
  expiryTimer?: NodeJS.Timeout;
  usage?: UsageScope;
}

type Extra = { socket: WebSocket; request: IncomingMessage };

/**
 * graphql-ws on the router's own port and path. The token goes in connection_init
 * (`{ "authorization": "Bearer <token>" }`) and is checked as on HTTP; a bad one closes the socket
 * with 4403, and the socket is closed (4403) when the token expires: the client reconnects with a
 * fresh one. Close codes 4400, 4401, 4408, 4409 and 4429 are graphql-ws's own.
 */
export function serveWebSockets(options: WebSocketOptions) {
  const wss = new WebSocketServer({ server: options.httpServer, path: options.path });
  const connections = new WeakMap<object, ConnectionState>();

  const contextOf = (connection: ConnectionState): RouterContext => {
    const requestId = randomUUID();
    return {
      requestId,
      viewer: connection.viewer,
      authorization: connection.authorization,
      clientAddress: connection.clientAddress,
      logger: options.logger.child({ requestId }),
      noteOperationName: () => {},
      usage: connection.usage,
    };
  };

  const server = useServer<Record<string, unknown>, Extra>(
    {
      connectionInitWaitTimeout: options.connectionInitTimeoutMs,
      onConnect: async (ctx) => {
        const connection: ConnectionState = {
          viewer: null,
          authorization: null,
          clientAddress: options.trustProxy
            ? clientAddressOf(ctx.extra.request, options.trustProxy)
            : (ctx.extra.request.socket.remoteAddress ?? null),
        };
        const raw = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        if (raw !== undefined && raw !== null && raw !== '') {
          try {
            const token = bearerToken(String(raw));
            if (!token) return false;
            connection.viewer = await options.verifyToken(token);
            connection.authorization = `Bearer ${token}`;
            const { exp } = decodeJwt(token);
            if (exp) {
              const socket = ctx.extra.socket;
              connection.expiryTimer = setTimeout(
                () => socket.close(CloseCode.Forbidden, 'Token expired: reconnect with a fresh one'),
                Math.max(0, exp * 1000 - Date.now()),
              );
              connection.expiryTimer.unref();
            }
          } catch {
            return false; // 4403 Forbidden
          }
        }
        if (options.caps) {
          const usage = options.caps.openSocket(connection.viewer, connection.clientAddress);
          if (!usage) {
            ctx.extra.socket.close(TOO_MANY_SOCKETS_CLOSE_CODE, 'Too many connections');
            return false;
          }
          connection.usage = usage;
          closeScopeWith(ctx.extra.socket, usage); // whichever way the socket closes
        }
        connections.set(ctx.extra.socket, connection);
        return true;
      },
      onClose: (ctx) => {
        const connection = connections.get(ctx.extra.socket);
        if (connection?.expiryTimer) clearTimeout(connection.expiryTimer);
      },
      onSubscribe: async (ctx, _id, payload) => {
        const connection = connections.get(ctx.extra.socket)!;
        const prepared = await options.prepare(payload, contextOf(connection));
        if (prepared.kind === 'errors') return prepared.errors;
        // graphql-ws picks execute or subscribe by the document; the prepared operation travels as the context.
        return {
          schema: options.schema(),
          document: prepared.document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: prepared,
        };
      },
      execute: async (args) => (args.contextValue as Extract<PreparedOperation, { kind: 'single' }>).run(),
      subscribe: (args): AsyncIterableIterator<ExecutionResult> =>
        (args.contextValue as Extract<PreparedOperation, { kind: 'stream' }>).start(),
    },
    wss,
  );

  return {
    /** Closes every socket with 1001 (going away) and stops accepting new ones. */
    close: async () => {
      await server.dispose();
    },
  };
}
