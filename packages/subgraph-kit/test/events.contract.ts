// The contract every event bus passes (RabbitMQ and HTTP push alike). Not a test file by itself:
// events.amqp.test.ts and events.http.test.ts run it against their implementation.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  PermanentEventError,
  type DomainEvent,
  type DomainEventHandler,
  type EventPublisher,
} from '@flow/messaging';
import { capturingLogger, until } from '@flow/testing';

export interface WiredBus {
  /** The producer side. */
  publisher: EventPublisher;
  /** Stops both sides and removes what the test made (queues, servers). */
  stop(): Promise<void>;
}

export interface EventsContractOptions {
  kind: 'amqp' | 'http';
  /** A producer and a consumer wired together; the consumer binds `bindings` and runs `handler`. */
  wire(consumer: {
    bindings: string[];
    handler: DomainEventHandler;
    maxAttempts: number;
    logger: Logger;
  }): Promise<WiredBus>;
  /**
   * Where a poison event ends up: the RabbitMQ dead-letter queue (with the error in a header), or
   * (HTTP) the error log of the consumer. Resolves with the dead event's id and recorded error.
   */
  deadLettered(context: { lines: Record<string, unknown>[] }): Promise<{ id: string; error: string }[]>;
}

export function domainEvent(type: string, overrides: Partial<DomainEvent> = {}): DomainEvent {
  return {
    id: randomUUID(),
    type,
    occurredAt: new Date().toISOString(),
    actor: randomUUID(),
    organizationIds: [randomUUID(), randomUUID()],
    data: { orderId: randomUUID(), total: { amountMinor: 12_345, currency: 'EUR' }, note: 'zwölf €' },
    source: 'orders',
    ...overrides,
  };
}

/** Publishes as the outbox relay does: again after each rejection, until it is accepted. */
async function publishAsRelay(publisher: EventPublisher, events: DomainEvent[], maxTries = 20) {
  let rejections = 0;
  for (;;) {
    try {
      await publisher.publish(events);
      return rejections;
    } catch (error) {
      rejections += 1;
      if (rejections >= maxTries) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

export function eventsContract({ kind, wire, deadLettered }: EventsContractOptions): void {
  let wired: WiredBus | undefined;
  let lines: Record<string, unknown>[];
  let logger: Logger;

  beforeEach(() => {
    ({ lines, logger } = capturingLogger());
  });

  afterEach(async () => {
    await wired?.stop();
    wired = undefined;
  });

  it('delivers every bound event once, with all its fields, and none of the others', async () => {
    const received: DomainEvent[] = [];
    wired = await wire({
      bindings: ['order.*', 'stock.low'],
      handler: async (event) => void received.push(event),
      maxAttempts: 3,
      logger,
    });
    const bound = [
      domainEvent('order.placed'),
      domainEvent('order.confirmed', { actor: null, organizationIds: [] }),
      domainEvent('stock.low', { source: 'inventory', data: { nested: { list: [1, 'two', null] } } }),
    ];
    const unbound = [
      domainEvent('stock.reserved'),
      domainEvent('order.placed.late'),
      domainEvent('payment.failed'),
    ];
    await wired.publisher.publish([bound[0]!, unbound[0]!, bound[1]!, unbound[1]!, bound[2]!, unbound[2]!]);
    await until(() => received.length >= bound.length, 'the bound events');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const byId = (a: DomainEvent, b: DomainEvent) => a.id.localeCompare(b.id);
    expect([...received].sort(byId)).toEqual([...bound].sort(byId));
  });

  it('publishes nothing for an empty batch', async () => {
    wired = await wire({ bindings: ['#'], handler: async () => {}, maxAttempts: 3, logger });
    await expect(wired.publisher.publish([])).resolves.toBeUndefined();
  });

  it('delivers an event again after its handler threw, until it is handled', async () => {
    const calls: string[] = [];
    let handled = 0;
    wired = await wire({
      bindings: ['payment.failed'],
      handler: async (event) => {
        calls.push(event.id);
        if (calls.length === 1) throw new Error('database blip');
        handled += 1;
      },
      maxAttempts: 3,
      logger,
    });
    const event = domainEvent('payment.failed');
    const rejections = await publishAsRelay(wired.publisher, [event]);
    // Without a broker the producer hears of the failure and pushes again; a broker retries itself.
    expect(rejections).toBe(kind === 'http' ? 1 : 0);
    await until(() => handled === 1, 'the second delivery');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(calls).toEqual([event.id, event.id]);
    expect(await deadLettered({ lines })).toEqual([]);
  });

  it('gives up on an event after maxAttempts failed deliveries, and goes on with the others', async () => {
    const calls: string[] = [];
    const poison = domainEvent('order.rejected');
    const healthy = domainEvent('order.confirmed');
    const handled: string[] = [];
    wired = await wire({
      bindings: ['order.*'],
      handler: async (event) => {
        calls.push(event.id);
        if (event.id === poison.id) throw new Error('cannot render this one');
        handled.push(event.id);
      },
      maxAttempts: 3,
      logger,
    });
    await publishAsRelay(wired.publisher, [poison, healthy]);
    await until(
      async () => (await deadLettered({ lines })).length === 1,
      'the poison event to be dead-lettered',
    );
    expect(await deadLettered({ lines })).toEqual([
      { id: poison.id, error: expect.stringContaining('cannot render this one') },
    ]);
    expect(calls.filter((id) => id === poison.id)).toHaveLength(3);
    expect(handled).toContain(healthy.id);
    // Dead means dead: no further delivery.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(calls.filter((id) => id === poison.id)).toHaveLength(3);
  });

  it('dead-letters at once an event its handler can never handle (PermanentEventError)', async () => {
    const calls: string[] = [];
    const malformed = domainEvent('order.placed');
    wired = await wire({
      bindings: ['order.*'],
      handler: async (event) => {
        calls.push(event.id);
        throw new PermanentEventError('order.placed without an order id');
      },
      maxAttempts: 3,
      logger,
    });
    await publishAsRelay(wired.publisher, [malformed]);
    await until(
      async () => (await deadLettered({ lines })).length === 1,
      'the malformed event to be dead-lettered',
    );
    expect(await deadLettered({ lines })).toEqual([
      { id: malformed.id, error: expect.stringContaining('without an order id') },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(calls).toEqual([malformed.id]);
  });
}
