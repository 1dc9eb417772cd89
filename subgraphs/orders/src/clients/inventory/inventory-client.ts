import { withoutDeadline, type CallContext, type SubgraphClient } from '@flow/subgraph-kit';
import {
  OrdersCommitDocument,
  OrdersHeldReservationsDocument,
  OrdersProductOfHoldDocument,
  OrdersProductsDocument,
  OrdersReleaseDocument,
  OrdersReservationByReferenceDocument,
  OrdersReserveDocument,
} from '../../generated/clients/inventory';
import { entitiesOf } from '@flow/core';
import type {
  HeldPage,
  ProductCatalog,
  ProductSnapshot,
  ReserveRequest,
  StockHolds,
} from '../../services/dependencies';

/**
 * inventory, as the order saga holds, commits and releases stock. The saga's steps run under
 * withoutDeadline: once the saga has begun, a step cut off by the caller's deadline would leave
 * stock for the recovery job.
 */
export class InventoryClient implements StockHolds, ProductCatalog {
  constructor(private readonly inventory: SubgraphClient) {}

  async reserve(ctx: CallContext, request: ReserveRequest) {
    // Sent once: a failed hold fails the placement, whose compensation finds a hold whose answer
    // was lost by its reference (reservationByReference) and releases it.
    const data = await this.inventory.once(ctx, OrdersReserveDocument, { input: request });
    return data.reserveStock;
  }

  async reservationByReference(ctx: CallContext, organizationId: string, reference: string) {
    // A read, but of a fact that may still change under a slow write: the caller decides.
    const data = await this.inventory.idempotent(withoutDeadline(ctx), OrdersReservationByReferenceDocument, {
      organizationId,
      reference,
    });
    return data.reservationByReference;
  }

  async products(ctx: CallContext, ids: string[]): Promise<Map<string, ProductSnapshot>> {
    if (ids.length === 0) return new Map();
    const data = await this.inventory.idempotent(ctx, OrdersProductsDocument, {
      representations: ids.map((id) => ({ __typename: 'Product', id })),
    });
    const found = entitiesOf('Product', data._entities);
    return new Map(found.map((p) => [p.id, { id: p.id, name: p.name, sku: p.sku }]));
  }

  async productOfHold(ctx: CallContext, organizationId: string, reference: string) {
    const data = await this.inventory.idempotent(ctx, OrdersProductOfHoldDocument, {
      organizationId,
      reference,
    });
    return data.reservationByReference?.product ?? null;
  }

  async heldReservations(ctx: CallContext, page: HeldPage) {
    const data = await this.inventory.idempotent(ctx, OrdersHeldReservationsDocument, page);
    return data.heldReservations;
  }

  async releaseReservation(ctx: CallContext, id: string, reason: string) {
    // Idempotent in inventory: a released (or expired) hold is answered as it is.
    await this.inventory.idempotent(withoutDeadline(ctx), OrdersReleaseDocument, { id, reason });
  }

  async commitReservation(ctx: CallContext, id: string) {
    // Idempotent in inventory: a committed hold is answered as it is, without a second settlement.
    await this.inventory.idempotent(withoutDeadline(ctx), OrdersCommitDocument, { id });
  }
}
