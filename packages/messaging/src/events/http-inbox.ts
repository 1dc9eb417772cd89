// The consumer end of the no-broker setup: `POST /events/inbox` takes a signed batch from a
// producer's relay, runs the handler on each event in order, and answers 200 when every event is
// handled, 503 otherwise (the producer keeps the batch and pushes it again later, handled events
// included: handlers are idempotent).
//
// Poison events: failures are counted per event id in this process's memory. An event is logged at
// error level as dead-lettered and acknowledged, so that it stops blocking the producer's outbox,
// at once when the handler says it can never be handled (PermanentEventError), else once it has
// failed maxAttempts times over at least retryForMs (an outage of the consumer's own database is
// waited out). The count starts over when the process restarts, and there is no queue to
// replay it from: the event stays in the producer's outbox table and in the log.
import express, { type Request, type Response } from 'express';
import {
  REQUEST_ID_HEADER,
  SERVICE_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifyRequestSignature,
} from '@flow/core';
import type { Logger } from '@flow/core';
import { asError } from './amqp-connection';
import { DEFAULT_MAX_ATTEMPTS } from './amqp-consumer';
import { matchesAnyBinding, parseDomainEvent } from './domain-event';
import { inboxSignedOperation } from './http-signing';
import { eventsConsumed } from './metrics';
import { isPermanentEventError, type EventConsumerOptions, type EventInbox } from './types';

export interface EventInboxOptions {
  /** The router signing secret the producers sign with. */
  secret: string;
  logger: Logger;
  /** Largest batch accepted (default 5 MB). */
  maxBodyBytes?: number;
  /** Event ids whose failures are remembered at once (default 10 000; the oldest are forgotten). */
  maxTrackedFailures?: number;
}

const DEFAULT_RETRY_FOR_MS = 10 * 60_000;

function answer(res: Response, status: number, code: string, message: string, extra: object = {}) {
  res.status(status).json({ errors: [{ message, extensions: { code } }], ...extra });
}

export function createEventInbox(options: EventInboxOptions): EventInbox {
  const logger = options.logger.child({ component: 'events' });
  const maxTracked = options.maxTrackedFailures ?? 10_000;
  const failures = new Map<string, { count: number; since: number }>();
  let consumer: EventConsumerOptions | null = null;
  let closed = false;

  const failed = (eventId: string) => {
    const before = failures.get(eventId);
    const record = { count: (before?.count ?? 0) + 1, since: before?.since ?? Date.now() };
    failures.delete(eventId); // re-inserted last: the map forgets the least recently failed first
    failures.set(eventId, record);
    for (const oldest of failures.keys()) {
      if (failures.size <= maxTracked) break;
      failures.delete(oldest);
    }
    return record;
  };

  const verify = (req: Request, body: Buffer) =>
    verifyRequestSignature(options.secret, req.header(SIGNATURE_HEADER), {
      timestamp: req.header(TIMESTAMP_HEADER) ?? '',
      requestId: req.header(REQUEST_ID_HEADER) ?? '',
      authorization: '',
      clientAddress: '',
      service: req.header(SERVICE_HEADER) ?? '',
      ...inboxSignedOperation(body),
    });

  const handle = async (req: Request, res: Response) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const check = verify(req, body);
    const producer = req.header(SERVICE_HEADER) || null;
    if (!check.valid) {
      logger.warn({ reason: check.reason, producer }, 'events: refused a push without a valid signature');
      return answer(res, 401, 'UNAUTHENTICATED', 'Events are only accepted from Flow subgraphs.');
    }
    if (closed || !consumer) {
      return answer(res, 503, 'SERVICE_UNAVAILABLE', 'This service does not take events right now.');
    }
    let events: unknown;
    try {
      events = (JSON.parse(body.toString('utf8')) as { events?: unknown }).events;
    } catch {
      events = undefined;
    }
    if (!Array.isArray(events)) {
      return answer(res, 400, 'BAD_REQUEST', 'Expected a JSON body { "events": [...] }.');
    }

    const { handler, bindings, consumer: name } = consumer;
    const maxAttempts = consumer.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    const retryForMs = consumer.retryForMs ?? DEFAULT_RETRY_FOR_MS;
    const unhandled: { id: string; error: string }[] = [];
    for (const raw of events) {
      const parsed = parseDomainEvent(raw);
      if (!parsed.ok) {
        eventsConsumed.inc({ consumer: name, outcome: 'dead_lettered' });
        logger.error({ producer, reason: parsed.error, event: raw }, 'events: message dead-lettered');
        continue;
      }
      const { event } = parsed;
      // The producer routes by the catalog; a type this consumer does not bind is not its business.
      if (!matchesAnyBinding(bindings, event.type)) continue;
      try {
        await handler(event);
        failures.delete(event.id);
        eventsConsumed.inc({ consumer: name, outcome: 'handled' });
      } catch (error) {
        const { count: attempts, since } = failed(event.id);
        const reason = asError(error).message;
        const givenUp = attempts >= maxAttempts && Date.now() - since >= retryForMs;
        if (givenUp || isPermanentEventError(error)) {
          failures.delete(event.id);
          eventsConsumed.inc({ consumer: name, outcome: 'dead_lettered' });
          logger.error(
            { producer, eventId: event.id, type: event.type, attempts, reason, event },
            'events: message dead-lettered',
          );
        } else {
          eventsConsumed.inc({ consumer: name, outcome: 'retried' });
          logger.warn(
            { producer, eventId: event.id, type: event.type, attempt: attempts, err: error },
            'events: handler failed; the producer will push the event again',
          );
          unhandled.push({ id: event.id, error: reason });
        }
      }
    }
    if (unhandled.length > 0) {
      return answer(res, 503, 'SERVICE_UNAVAILABLE', 'Some events were not handled.', { unhandled });
    }
    res.json({ handled: events.length });
  };

  return {
    handlers: [
      express.raw({ type: () => true, limit: options.maxBodyBytes ?? 5 * 1024 * 1024 }),
      (req, res, next) => {
        handle(req, res).catch(next);
      },
    ],
    register(options) {
      if (consumer && consumer.consumer !== options.consumer) {
        throw new Error(
          `this process already consumes events as ${consumer.consumer}; without a broker it has one inbox`,
        );
      }
      consumer = options;
    },
    close() {
      closed = true;
    },
  };
}
