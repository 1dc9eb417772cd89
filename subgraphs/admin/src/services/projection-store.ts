import type { AdminTransaction } from '../db';
import type { Projection } from './projections';

/**
 * Applies projections in the caller's transaction, one statement each. The upsert keeps what
 * does not change over an order's life from whichever event came first, moves the status only
 * forward, and sets each time once: so it gives the same row whatever the order of the events.
 */
export async function applyProjections(
  tx: AdminTransaction,
  projections: readonly Projection[],
): Promise<void> {
  for (const p of projections) {
    if (p.kind === 'order')
      await tx.$executeRaw`
        INSERT INTO order_facts (order_id, number, hospital_organization_id, vendor_organization_id,
          status, status_rank, total_minor, currency, placed_at, delivered_at)
        VALUES (${p.orderId}::uuid, ${p.number}, ${p.hospitalOrganizationId}::uuid,
          ${p.vendorOrganizationId}::uuid, ${p.status}, ${p.statusRank}, ${p.totalMinor}::int,
          ${p.currency}, ${p.placedAt}::timestamptz, ${p.deliveredAt}::timestamptz)
        ON CONFLICT (order_id) DO UPDATE SET
          status = CASE WHEN EXCLUDED.status_rank > order_facts.status_rank
                        THEN EXCLUDED.status ELSE order_facts.status END,
          status_rank = GREATEST(order_facts.status_rank, EXCLUDED.status_rank),
          total_minor = COALESCE(order_facts.total_minor, EXCLUDED.total_minor),
          currency = COALESCE(order_facts.currency, EXCLUDED.currency),
          placed_at = COALESCE(order_facts.placed_at, EXCLUDED.placed_at),
          delivered_at = COALESCE(order_facts.delivered_at, EXCLUDED.delivered_at)`;
    else
      await tx.$executeRaw`
        INSERT INTO placement_failures (event_id, order_id, hospital_organization_id, failure_code, occurred_at)
        VALUES (${p.eventId}::uuid, ${p.orderId}::uuid, ${p.hospitalOrganizationId}::uuid,
          ${p.failureCode}, ${p.occurredAt}::timestamptz)
        ON CONFLICT (event_id) DO NOTHING`;
  }
}
