// Written by inventory (services/stock-store.ts) in the transaction of the stock change. Setting
// and adjusting stock make no event unless it falls below the reorder level (stock.low); those
// changes are live updates only.
import { z } from 'zod';
import { anyText, integer, object, text, timestamp, uuid } from './fields';

const stock = {
  depotId: uuid(),
  productId: uuid(),
  onHand: integer(),
  reserved: integer(),
  /** onHand - reserved. */
  available: integer(),
  reorderLevel: integer(),
};

export const stockSnapshot = z.object(stock);
export type StockSnapshot = z.input<typeof stockSnapshot>;

const reservation = {
  reservationId: uuid(),
  /** The reserving caller's idempotency key, e.g. `order:<orderId>:<line>`. */
  reference: text(200),
  depotId: uuid(),
  productId: uuid(),
  quantity: integer(),
  /** HELD, COMMITTED, RELEASED or EXPIRED (a hold released by the expiry job). */
  status: anyText(),
  expiresAt: timestamp(),
};

const stockAfter = object(stock);

export const inventoryEventSchemas = {
  'stock.reserved': z.object({ ...reservation, stock: stockAfter }),
  'stock.committed': z.object({ ...reservation, reason: anyText().nullable(), stock: stockAfter }),
  /** A hold given back: by orders, by a platform admin (with a reason), or expired ('hold expired'). */
  'stock.released': z.object({ ...reservation, reason: anyText().nullable(), stock: stockAfter }),
  /** Available stock fell below the reorder level. */
  'stock.low': z.object({
    ...stock,
    /**
     * The vendor that owns the stock. Optional only because events written before inventory sent
     * it may still wait in an outbox or a dead-letter queue: those name the vendor as their one
     * organization.
     */
    vendorOrganizationId: uuid().optional(),
  }),
};
