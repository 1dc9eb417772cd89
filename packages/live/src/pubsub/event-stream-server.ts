// The subgraph end of the no-Redis setup: GET /events streams every message of the process's
// in-process PubSub as Server-Sent Events, for the router's LiveStreamBridge. Who may connect is
// decided before this handler (the router's signature, see startSubgraphServer).
import type { Request, RequestHandler, Response } from 'express';
import { ErrorCode } from '@flow/core';
import type { Logger } from '@flow/core';
import type { PubSub, Unsubscribe } from './types';

export const EVENT_STREAM_PATH = '/events';
/** A comment line this often keeps proxies from closing an idle stream and lets the bridge spot a dead one. */
export const EVENT_STREAM_HEARTBEAT_MS = 15_000;

/** What the caller signs for a stream: the path stands for the query, there is no operation. */
export const EVENT_STREAM_SIGNED_OPERATION = {
  query: EVENT_STREAM_PATH,
  operationName: null,
  variables: null,
} as const;

export interface EventStreamHandlerOptions {
  events: PubSub;
  logger: Logger;
  heartbeatMs?: number;
  /**
   * A client that lets more than this many bytes pile up unsent is disconnected (default 1 MiB):
   * memory stays bounded, and the client reconnects and resyncs.
   */
  maxBufferedBytes?: number;
}

export interface EventStreamHandler {
  /** The Express handler of `GET /events`. */
  handle: RequestHandler;
  /** Streams open now. */
  readonly size: number;
  /** Ends every open stream and refuses new ones (503): shutdown must not wait on endless responses. */
  close(): Promise<void>;
}

interface OpenStream {
  res: Response;
  heartbeat: NodeJS.Timeout;
  unsubscribe: Unsubscribe;
}

function refuse(res: Response, message: string) {
  res.status(503).json({ errors: [{ message, extensions: { code: ErrorCode.SERVICE_UNAVAILABLE } }] });
}

/** One frame: `event: message` and the JSON of `{ topic, message }` (JSON has no raw newline). */
export function eventStreamFrame(topic: string, message: unknown): string {
  return `event: message\ndata: ${JSON.stringify({ topic, message })}\n\n`;
}

export function createEventStreamHandler(options: EventStreamHandlerOptions): EventStreamHandler {
  const { events, logger } = options;
  const heartbeatMs = options.heartbeatMs ?? EVENT_STREAM_HEARTBEAT_MS;
  const maxBufferedBytes = options.maxBufferedBytes ?? 1024 * 1024;
  const open = new Set<OpenStream>();
  let closed = false;

  const end = (stream: OpenStream) => {
    if (!open.delete(stream)) return Promise.resolve();
    clearInterval(stream.heartbeat);
    if (!stream.res.writableEnded) stream.res.end();
    return stream.unsubscribe();
  };

  const handle = async (req: Request, res: Response) => {
    if (closed) return refuse(res, 'This service is shutting down.');
    let unsubscribe: Unsubscribe;
    try {
      unsubscribe = await events.subscribePattern('*', (topic, message) => {
        // Until the headers below are out, and after the end, there is no stream to write to.
        if (!res.headersSent || res.writableEnded) return;
        if (res.writableLength > maxBufferedBytes) {
          logger.warn({ requestId: req.requestId }, 'event stream: client too slow, disconnecting it');
          res.destroy();
          return;
        }
        res.write(eventStreamFrame(topic, message));
      });
    } catch (error) {
      logger.error({ err: error, requestId: req.requestId }, 'event stream: could not subscribe');
      return refuse(res, 'Events are unavailable right now.');
    }
    if (closed || req.destroyed || res.destroyed) {
      await unsubscribe();
      if (!res.headersSent && !res.destroyed) refuse(res, 'This service is shutting down.');
      return;
    }
    // Headers only now: once the client has them, every later message reaches it.
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    });
    res.write(': connected\n\n');
    const current: OpenStream = {
      res,
      unsubscribe,
      heartbeat: setInterval(() => res.write(': heartbeat\n\n'), heartbeatMs),
    };
    open.add(current);
    res.on('close', () => {
      void end(current).catch((error: unknown) =>
        logger.warn({ err: error }, 'event stream: unsubscribe failed'),
      );
    });
    logger.debug({ requestId: req.requestId, open: open.size }, 'event stream opened');
  };

  return {
    handle: (req, res, next) => {
      handle(req, res).catch(next);
    },
    get size() {
      return open.size;
    },
    async close() {
      closed = true;
      await Promise.allSettled([...open].map(end));
    },
  };
}
