// Domain events as orders writes them (recordOrderEvent), for the tests of the subgraphs that
// consume them: one shape, so that a consumer's tests and the producer agree in one place.
import { randomUUID } from 'node:crypto';

/** The parties of an order, as in orders' recordOrderEvent. */
export interface TestOrderParties {
  orderId: string;
  number: string;
  hospitalOrganizationId: string;
  vendorOrganizationId: string;
  driverId: string | null;
}

export interface TestOrderEventOptions {
  /** When it happened; now when not given. */
  at?: Date;
  driverId?: string | null;
  totalMinor?: number;
  /** Fields of `data` to set or override. */
  extra?: Record<string, unknown>;
}

export interface TestOrderEvent {
  id: string;
  type: string;
  occurredAt: string;
  actor: string | null;
  organizationIds: string[];
  source: string;
  data: Record<string, unknown>;
}

/** An `order.*` event of `order` (status from the type: `order.delivered` -> DELIVERED). */
export function testOrderEvent(
  type: string,
  order: TestOrderParties,
  { at = new Date(), driverId = order.driverId, totalMinor = 12_500, extra = {} }: TestOrderEventOptions = {},
): TestOrderEvent {
  return {
    id: randomUUID(),
    type,
    occurredAt: at.toISOString(),
    actor: randomUUID(),
    organizationIds: [order.hospitalOrganizationId, order.vendorOrganizationId],
    source: 'orders',
    data: {
      orderId: order.orderId,
      number: order.number,
      status: type.split('.')[1]!.toUpperCase(),
      priority: 'ROUTINE',
      hospitalOrganizationId: order.hospitalOrganizationId,
      vendorOrganizationId: order.vendorOrganizationId,
      siteId: randomUUID(),
      depotId: randomUUID(),
      driverId,
      total: { amountMinor: totalMinor, currency: 'USD' },
      ...(type === 'order.placed'
        ? { items: [{ productId: randomUUID(), quantity: 5, unitPriceMinor: 2500, lineTotalMinor: 12500 }] }
        : {}),
      ...extra,
    },
  };
}
