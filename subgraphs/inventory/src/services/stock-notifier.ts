import { liveTopics } from '@flow/contracts';
import type { Logger } from '@flow/core';

/** Where live notifications go (the platform PubSub: Redis, or in-process bridged to the router). */
export interface LivePublisher {
  publish(topic: string, message: unknown): Promise<void>;
}

/** What happened to a stock row; the `type` of a notification. */
export type StockChangeType =
  'stock.set' | 'stock.adjusted' | 'stock.reserved' | 'stock.released' | 'stock.committed' | 'stock.expired';

export interface StockChange {
  depotId: string;
  productId: string;
}

/**
 * Tells subscribers that a depot's stock changed. Call it only once the change is committed: the
 * router answers each notification by reading the level with each subscriber's credentials, so
 * a notification sent earlier would show them the old level. Best effort: the change is in the
 * database and its event in the outbox whatever happens here, so a failure is logged, never thrown.
 */
export class StockNotifier {
  constructor(
    private readonly publisher: LivePublisher | null,
    private readonly logger: Logger,
  ) {}

  async changed(type: StockChangeType, changes: readonly StockChange[]): Promise<void> {
    const publisher = this.publisher;
    if (!publisher || changes.length === 0) return;
    const results = await Promise.allSettled(
      // async, so that a publisher throwing instead of rejecting is caught like a rejection.
      changes.map(async (change) =>
        publisher.publish(liveTopics.stock(change.depotId), messageOf(type, change)),
      ),
    );
    // One warning per call: a sweep of many holds while the channel is down is one incident.
    const failed = results.flatMap((result, i) =>
      result.status === 'rejected'
        ? [{ ...messageOf(type, changes[i]!), err: result.reason as unknown }]
        : [],
    );
    if (failed.length === 0) return;
    const { err, ...first } = failed[0]!;
    this.logger.warn({ ...first, failed: failed.length, err }, 'stock change not published');
  }
}

/** Ids only (never the objects callers pass, which carry more): the router reads the rest. */
const messageOf = (type: StockChangeType, { depotId, productId }: StockChange) => ({
  type,
  depotId,
  productId,
});
