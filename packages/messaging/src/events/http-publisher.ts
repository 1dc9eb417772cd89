// Without a broker every subgraph is its own process: a batch is pushed over HTTP to each
// consumer whose bindings match, signed like the subgraphs' own calls (x-flow-service = producer).
// It resolves only when every targeted consumer answered 2xx, so the relay keeps the rows and
// pushes again while one is down; consumers deduplicate on the event id.
import { randomUUID } from 'node:crypto';
import {
  REQUEST_ID_HEADER,
  SERVICE_HEADER,
  SIGNATURE_HEADER,
  signRequest,
  TIMESTAMP_HEADER,
} from '@flow/core';
import type { Logger } from '@flow/core';
import { asError } from './amqp-connection';
import { matchesAnyBinding } from './domain-event';
import { inboxSignedOperation } from './http-signing';
import type { DomainEvent, EventPublisher } from './types';

export interface HttpEventTarget {
  /** The consuming subgraph. */
  consumer: string;
  /** Its `POST /events/inbox` (see eventInboxUrl). */
  inboxUrl: string;
  /** The event types it takes, as AMQP topic patterns. */
  bindings: readonly string[];
}

export interface HttpEventPublisherOptions {
  source: string;
  /** The router signing secret every subgraph shares. */
  secret: string;
  targets: readonly HttpEventTarget[];
  logger: Logger;
  /** Deadline of one push (default 10 s). */
  timeoutMs?: number;
  /** Injectable for tests; Node's fetch by default. */
  fetch?: typeof fetch;
}

export class HttpEventPublisher implements EventPublisher {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: HttpEventPublisherOptions) {
    this.fetch = options.fetch ?? fetch;
  }

  async publish(events: readonly DomainEvent[]): Promise<void> {
    const pushes = this.options.targets
      .map((target) => ({ target, events: events.filter((e) => matchesAnyBinding(target.bindings, e.type)) }))
      .filter((push) => push.events.length > 0);
    const results = await Promise.allSettled(pushes.map((push) => this.push(push.target, push.events)));
    const failures = results.flatMap((result, i) =>
      result.status === 'rejected'
        ? [`${pushes[i]!.target.consumer}: ${asError(result.reason).message}`]
        : [],
    );
    if (failures.length > 0) throw new Error(`events not delivered (${failures.join('; ')})`);
  }

  async close(): Promise<void> {}

  private async push(target: HttpEventTarget, events: DomainEvent[]): Promise<void> {
    const body = JSON.stringify({ events });
    const requestId = randomUUID();
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = signRequest(this.options.secret, {
      timestamp,
      requestId,
      authorization: '',
      clientAddress: '',
      service: this.options.source,
      ...inboxSignedOperation(body),
    });
    const response = await this.fetch(target.inboxUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [REQUEST_ID_HEADER]: requestId,
        [TIMESTAMP_HEADER]: timestamp,
        [SERVICE_HEADER]: this.options.source,
        [SIGNATURE_HEADER]: signature,
      },
      body,
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
    });
    const text = await response.text().catch(() => '');
    if (!response.ok) throw new Error(`HTTP ${response.status} ${text.slice(0, 200)}`.trim());
    this.options.logger.debug({ consumer: target.consumer, count: events.length }, 'events: pushed');
  }
}
