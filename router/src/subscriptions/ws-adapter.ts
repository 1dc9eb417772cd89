// graphql-ws on a `ws` server: the same job as graphql-ws's own `useServer` (graphql-ws/use/ws),
// with the router's logger. useServer prints a client's protocol error (a frame over maxPayload)
// to stderr with a stack, and closes with graphql-ws's internal message as the reason outside
// NODE_ENV=production; here a client error is one log line, and a 4500 says nothing internal.
import type { IncomingMessage } from 'node:http';
import { CloseCode, handleProtocols, makeServer, type ServerOptions } from 'graphql-ws';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '@flow/core';

export type Extra = { socket: WebSocket; request: IncomingMessage };

export interface AdapterHooks {
  logger: Logger;
  /** A socket that ws closed with 1009 because a message exceeded its maxPayload. */
  onOversizedMessage?: () => void;
}

/** How often an idle socket is pinged; one that has not answered by the next ping is dropped. */
const KEEP_ALIVE_MS = 12_000;

export function useGraphqlWs<P extends Record<string, unknown>>(
  options: ServerOptions<P, Extra>,
  wss: WebSocketServer,
  hooks: AdapterHooks,
) {
  const server = makeServer<P, Extra>(options);
  wss.options.handleProtocols = (protocols) => handleProtocols(protocols);
  wss.on('error', (error) => hooks.logger.error({ err: error }, 'websocket server error'));

  wss.on('connection', (socket, request) => {
    // ws has already closed the socket (1009 for a message over maxPayload, 1002 for a protocol
    // error): nothing is left to do but note it.
    socket.once('error', (error: Error & { code?: string }) => {
      if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') hooks.onOversizedMessage?.();
      hooks.logger.info({ code: error.code }, 'websocket closed on a client error');
    });
    let alive = true;
    socket.on('pong', () => (alive = true));
    const keepAlive = setInterval(() => {
      if (!alive) return socket.terminate();
      alive = false;
      socket.ping();
    }, KEEP_ALIVE_MS);
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            socket.send(data, (error) => (error ? reject(error) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on('message', async (data) => {
            try {
              await handle(String(data));
            } catch (error) {
              // A bug of ours, not the client's: its message stays in the log, never in the close reason.
              hooks.logger.error({ err: error }, 'graphql-ws message handling failed');
              socket.close(CloseCode.InternalServerError, 'Internal server error');
            }
          }),
      },
      { socket, request },
    );
    socket.once('close', (code, reason) => {
      clearInterval(keepAlive);
      void closed(code, reason.toString());
    });
  });

  return {
    /** Closes every socket with 1001 (going away) and stops accepting new ones. */
    dispose: async () => {
      for (const client of wss.clients) client.close(1001, 'Going away');
      await new Promise<void>((resolve, reject) => wss.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
