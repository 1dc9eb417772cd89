import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { GraphQLError, type ExecutionResult, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { decodeJwt } from 'jose';
import { WebSocketServer } from 'ws';
import { bearerToken, type Logger, type TokenVerifier, type Viewer } from '@flow/core';
import type { RouterContext } from '../context';
import { suspensionRefusal } from '../auth/authenticate';
import {
  SUSPENDED_CLOSE_CODE,
  closeReasonOf,
  endReasonOf,
  type SuspendedConnections,
} from '../auth/suspended-connections';
import { clientAddressOf, type TrustProxy } from '../usage/client-address';
import { closeScopeWith, TOO_MANY_SOCKETS_CLOSE_CODE, type UsageCaps, type UsageScope } from '../usage/caps';
import type { PreparedOperation, createOperations } from './operations';
import { useGraphqlWs } from './ws-adapter';
import type { liveDocuments } from '../trusted-documents/live';

export interface WebSocketOptions {
  httpServer: Server;
  path: string;
  verifyToken: TokenVerifier;
  schema: () => GraphQLSchema;
  prepare: ReturnType<typeof createOperations>;
  connectionInitTimeoutMs: number;
  /** The largest message a client may send (the HTTP body limit): larger ones close with 1009. */
  maxPayloadBytes: number;
  /** A socket closed because a client sent a message over maxPayloadBytes. */
  onOversizedMessage?: () => void;
  logger: Logger;
  caps?: UsageCaps;
  /** TRUST_PROXY, as Express compiled it: the client address is then the same as on HTTP. */
  trustProxy?: TrustProxy;
  /** Refuses and closes (4403) the sockets of suspended organizations. */
  suspended?: SuspendedConnections;
  /** Trusted documents: the text to run for a subscribe message, or its refusal. */
  documents?: ReturnType<typeof liveDocuments>;
}

interface ConnectionState {
  viewer: Viewer | null;
  authorization: string | null;
  clientAddress: string | null;
  /** A header of the client: from connection_init's payload, else from the upgrade request. */
  header: (name: string) => string | undefined;
  expiryTimer?: NodeJS.Timeout;
  usage?: UsageScope;
  untrack?: () => void;
}

/**
 * An error graphql-ws can send as it is: the transports' errors are already formatted (masked in
 * production), and graphql-ws serializes errors with toJSON.
 */
class FormattedError extends GraphQLError {
  constructor(private readonly formatted: GraphQLFormattedError) {
    super(formatted.message);
  }

  override toJSON(): GraphQLFormattedError {
    return this.formatted;
  }
}

/**
 * graphql-ws on the router's own port and path. The token goes in connection_init
 * (`{ "authorization": "Bearer <token>" }`) and is checked as on HTTP; a bad one closes the socket
 * with 4403, and the socket is closed (4403) when the token expires: the client reconnects with a
 * fresh one. Close codes 4400, 4401, 4408, 4409 and 4429 are graphql-ws's own; 1009: a message
 * larger than the HTTP body limit.
 *
 * Results are sent as the gateway formatted them: a failed query is `next` with its errors then
 * `complete`, a refused request one `error`; neither closes the socket.
 */
export function serveWebSockets(options: WebSocketOptions) {
  // ws refuses a frame by the length in its header, before buffering it (close 1009).
  const wss = new WebSocketServer({
    server: options.httpServer,
    path: options.path,
    maxPayload: options.maxPayloadBytes,
  });
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

  const server = useGraphqlWs<Record<string, unknown>>(
    {
      connectionInitWaitTimeout: options.connectionInitTimeoutMs,
      onConnect: async (ctx) => {
        const connection: ConnectionState = {
          viewer: null,
          authorization: null,
          clientAddress: options.trustProxy
            ? clientAddressOf(ctx.extra.request, options.trustProxy)
            : (ctx.extra.request.socket.remoteAddress ?? null),
          header: (name) => {
            const param = ctx.connectionParams?.[name];
            if (typeof param === 'string') return param;
            const value = ctx.extra.request.headers[name];
            return Array.isArray(value) ? value[0] : value;
          },
        };
        const raw = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        if (raw !== undefined && raw !== null && raw !== '') {
          try {
            const token = bearerToken(String(raw));
            if (!token) return false;
            connection.viewer = await options.verifyToken(token);
            const refusal = suspensionRefusal(options.suspended?.suspensions, connection.viewer);
            if (refusal) {
              ctx.extra.socket.close(
                SUSPENDED_CLOSE_CODE,
                closeReasonOf(endReasonOf(refusal.extensions.reason)),
              );
              return false;
            }
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
        const socket = ctx.extra.socket;
        connection.untrack = options.suspended?.track(connection.viewer, (reason) =>
          socket.close(SUSPENDED_CLOSE_CODE, closeReasonOf(reason)),
        );
        connections.set(socket, connection);
        return true;
      },
      onClose: (ctx) => {
        const connection = connections.get(ctx.extra.socket);
        if (connection?.expiryTimer) clearTimeout(connection.expiryTimer);
        connection?.untrack?.();
      },
      onSubscribe: async (ctx, _id, payload) => {
        const connection = connections.get(ctx.extra.socket)!;
        // Between a suspension and the socket's close (or a list reloaded before it was tracked).
        const refusal = suspensionRefusal(options.suspended?.suspensions, connection.viewer);
        if (refusal)
          return [new FormattedError({ message: refusal.message, extensions: refusal.extensions })];
        let request = payload;
        if (options.documents) {
          const document = await options.documents(payload, connection);
          if ('error' in document) return [new FormattedError(document.error)];
          request = { ...payload, query: document.query };
        }
        const prepared = await options.prepare(request, contextOf(connection));
        if (prepared.kind === 'errors') return prepared.errors.map((error) => new FormattedError(error));
        // graphql-ws picks execute or subscribe by the document; the prepared operation travels as the context.
        return {
          schema: options.schema(),
          document: prepared.document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: prepared,
        };
      },
      // The results are formatted already (PreparedOperation): onNext sends them as they are.
      execute: async (args) =>
        (await (
          args.contextValue as Extract<PreparedOperation, { kind: 'single' }>
        ).run()) as ExecutionResult,
      subscribe: (args) =>
        (
          args.contextValue as Extract<PreparedOperation, { kind: 'stream' }>
        ).start() as AsyncIterableIterator<ExecutionResult>,
      onNext: (_ctx, _id, _payload, _args, result) => result,
    },
    wss,
    { logger: options.logger, onOversizedMessage: options.onOversizedMessage },
  );

  return {
    /** Closes every socket with 1001 (going away) and stops accepting new ones. */
    close: async () => {
      await server.dispose();
    },
  };
}
