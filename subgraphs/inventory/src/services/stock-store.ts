import { randomUUID } from 'node:crypto';
import { outboxRow, type OutboxRow, type StockSnapshot } from '@flow/contracts';
import {
  Prisma,
  type Reservation,
  type StockLevel,
  type StockMovementKind,
} from '../generated/prisma/client';
import type { InventoryTransaction } from '../db';
import { availableOf, crossedBelowReorderLevel, type Quantities } from './stock-math';

// The SQL that Prisma's query builder cannot say: conditional updates comparing two columns,
// row locks, and inserts that must not race. Everything here runs inside a caller's transaction.

const STOCK_COLUMNS = Prisma.raw(`depot_id AS "depotId", product_id AS "productId",
  vendor_organization_id AS "vendorOrganizationId", on_hand AS "onHand", reserved,
  reorder_level AS "reorderLevel", created_at AS "createdAt", updated_at AS "updatedAt"`);

export const RESERVATION_COLUMNS = Prisma.raw(`id, reference, organization_id AS "organizationId",
  vendor_organization_id AS "vendorOrganizationId", depot_id AS "depotId", product_id AS "productId",
  quantity, status::text AS status, expires_at AS "expiresAt", created_by AS "createdBy",
  closed_at AS "closedAt", closed_reason AS "closedReason", created_at AS "createdAt",
  updated_at AS "updatedAt"`);

export interface StockKey {
  depotId: string;
  productId: string;
}

/**
 * The stock row of a product at a depot, created empty if missing, locked until the transaction
 * ends: concurrent set/adjust of the same row queue here instead of overwriting each other.
 */
export async function lockStockLevel(
  tx: InventoryTransaction,
  key: StockKey,
  vendorOrganizationId: string,
): Promise<StockLevel> {
  await tx.$executeRaw`
    INSERT INTO stock_levels (depot_id, product_id, vendor_organization_id, updated_at)
    VALUES (${key.depotId}::uuid, ${key.productId}::uuid, ${vendorOrganizationId}::uuid, now())
    ON CONFLICT (depot_id, product_id) DO NOTHING`;
  const [row] = await tx.$queryRaw<StockLevel[]>`
    SELECT ${STOCK_COLUMNS} FROM stock_levels
    WHERE depot_id = ${key.depotId}::uuid AND product_id = ${key.productId}::uuid
    FOR UPDATE`;
  return row!;
}

/** Writes new counts to a row the caller has locked. */
export async function writeStockLevel(
  tx: InventoryTransaction,
  key: StockKey,
  values: { onHand: number; reorderLevel: number },
): Promise<StockLevel> {
  const [row] = await tx.$queryRaw<StockLevel[]>`
    UPDATE stock_levels
    SET on_hand = ${values.onHand}, reorder_level = ${values.reorderLevel}, updated_at = now()
    WHERE depot_id = ${key.depotId}::uuid AND product_id = ${key.productId}::uuid
    RETURNING ${STOCK_COLUMNS}`;
  return row!;
}

/**
 * Reserves `quantity` if, and only if, that much is available at the moment the row is written.
 * Postgres re-checks the condition on the newest row version after waiting for any concurrent
 * writer, so however many run at once, the sum reserved never exceeds on hand (and the CHECK
 * constraint would refuse it if it did). Null when not enough is available.
 */
export async function reserveIfAvailable(
  tx: InventoryTransaction,
  key: StockKey,
  quantity: number,
): Promise<StockLevel | null> {
  const [row] = await tx.$queryRaw<StockLevel[]>`
    UPDATE stock_levels SET reserved = reserved + ${quantity}, updated_at = now()
    WHERE depot_id = ${key.depotId}::uuid AND product_id = ${key.productId}::uuid
      AND on_hand - reserved >= ${quantity}
    RETURNING ${STOCK_COLUMNS}`;
  return row ?? null;
}

/** Gives back (release, expiry) or ships (commit: onHandDelta = -quantity) reserved units. */
export async function settleReserved(
  tx: InventoryTransaction,
  key: StockKey,
  change: { reservedDelta: number; onHandDelta: number },
): Promise<StockLevel> {
  const [row] = await tx.$queryRaw<StockLevel[]>`
    UPDATE stock_levels
    SET reserved = reserved + ${change.reservedDelta}, on_hand = on_hand + ${change.onHandDelta},
        updated_at = now()
    WHERE depot_id = ${key.depotId}::uuid AND product_id = ${key.productId}::uuid
    RETURNING ${STOCK_COLUMNS}`;
  return row!;
}

export async function availableAt(tx: InventoryTransaction, key: StockKey): Promise<number> {
  const [row] = await tx.$queryRaw<{ available: number }[]>`
    SELECT on_hand - reserved AS available FROM stock_levels
    WHERE depot_id = ${key.depotId}::uuid AND product_id = ${key.productId}::uuid`;
  return row?.available ?? 0;
}

/** Creates a HELD reservation, unless this organization already used the reference. */
export async function insertReservation(
  tx: InventoryTransaction,
  input: StockKey & {
    reference: string;
    organizationId: string;
    quantity: number;
    holdSeconds: number;
    /** Null when a service reserves without a user. */
    createdBy: string | null;
  },
): Promise<Reservation | null> {
  // Selected from the stock row so that the vendor is the depot's, and so that nothing is
  // inserted where there is no stock row at all (then nothing can be available either).
  const [row] = await tx.$queryRaw<Reservation[]>`
    INSERT INTO reservations (id, reference, organization_id, vendor_organization_id, depot_id,
      product_id, quantity, status, expires_at, created_by, updated_at)
    SELECT ${randomUUID()}::uuid, ${input.reference}, ${input.organizationId}::uuid,
      s.vendor_organization_id, s.depot_id, s.product_id, ${input.quantity}, 'HELD',
      now() + ${input.holdSeconds}::integer * interval '1 second', ${input.createdBy}::uuid, now()
    FROM stock_levels s
    WHERE s.depot_id = ${input.depotId}::uuid AND s.product_id = ${input.productId}::uuid
    ON CONFLICT (organization_id, reference) DO NOTHING
    RETURNING ${RESERVATION_COLUMNS}`;
  return row ?? null;
}

/**
 * Moves a HELD reservation to `status` (compare-and-set): of a commit, a release and the expiry
 * job racing for the same hold, exactly one finds it HELD. Null when it was not (any longer).
 */
export async function closeHeldReservation(
  tx: InventoryTransaction,
  id: string,
  status: 'COMMITTED' | 'RELEASED',
  options: { reason: string | null; requireUnexpired: boolean },
): Promise<Reservation | null> {
  const unexpired = options.requireUnexpired ? Prisma.sql`AND expires_at > now()` : Prisma.empty;
  const [row] = await tx.$queryRaw<Reservation[]>`
    UPDATE reservations
    SET status = ${status}::"ReservationStatus", closed_at = now(), closed_reason = ${options.reason},
        updated_at = now()
    WHERE id = ${id}::uuid AND status = 'HELD' ${unexpired}
    RETURNING ${RESERVATION_COLUMNS}`;
  return row ?? null;
}

export interface MovementInput {
  kind: StockMovementKind;
  before: Pick<Quantities, 'onHand' | 'reserved'>;
  after: StockLevel | (StockKey & Pick<Quantities, 'onHand' | 'reserved'>);
  reason: string | null;
  actorId: string | null;
  reservationId?: string | null;
}

export const movementRow = (m: MovementInput) => ({
  kind: m.kind,
  depotId: m.after.depotId,
  productId: m.after.productId,
  onHandDelta: m.after.onHand - m.before.onHand,
  reservedDelta: m.after.reserved - m.before.reserved,
  onHandAfter: m.after.onHand,
  reservedAfter: m.after.reserved,
  reason: m.reason,
  actorId: m.actorId,
  reservationId: m.reservationId ?? null,
});

export async function recordMovement(tx: InventoryTransaction, movement: MovementInput): Promise<void> {
  await tx.stockMovement.create({ data: movementRow(movement) });
}

// ---------------------------------------------------------------------------------------------
// Domain events (transactional outbox, written with @flow/contracts' recordEvents in the
// transaction of the change, so an event exists exactly when its change does)

export const stockSnapshot = (stock: StockLevel): StockSnapshot => ({
  depotId: stock.depotId,
  productId: stock.productId,
  onHand: stock.onHand,
  reserved: stock.reserved,
  available: availableOf(stock),
  reorderLevel: stock.reorderLevel,
});

export const reservationSnapshot = (reservation: Reservation) => ({
  reservationId: reservation.id,
  reference: reservation.reference,
  depotId: reservation.depotId,
  productId: reservation.productId,
  quantity: reservation.quantity,
  status: reservation.status,
  expiresAt: reservation.expiresAt.toISOString(),
});

/** The stock.low event when `after` crossed below the reorder level; none otherwise. */
export function stockLowEvents(before: Quantities, after: StockLevel, actor: string | null): OutboxRow[] {
  if (!crossedBelowReorderLevel(before, after)) return [];
  const data = { ...stockSnapshot(after), vendorOrganizationId: after.vendorOrganizationId };
  return [outboxRow('stock.low', data, { actor, organizationIds: [after.vendorOrganizationId] })];
}
