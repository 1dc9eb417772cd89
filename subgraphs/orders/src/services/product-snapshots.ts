import { randomUUID } from 'node:crypto';
import type DataLoader from 'dataloader';
import type { GraphQLResolveInfo } from 'graphql';
import type { Logger } from '@flow/core';
import type { CallContext } from '@flow/subgraph-kit';
import type { OrderItem } from '../generated/prisma/client';
import type { OrdersPrisma } from '../db';
import type { ProductCatalog, ProductSnapshot } from './dependencies';
import { reservationReference } from './settlement-service';
import { asksBeyondId } from './selection';

// An order line records what was ordered: the product's name and SKU as inventory's catalog
// named them when the line's stock was held (placement reads them from the hold's own answer, no
// extra call). Order.items then provides Product.name and sku (`@provides` in
// schema/orders.graphql), so the router does not ask inventory for every order it shows. Lines
// held before the record existed are filled by ProductSnapshotBackfill; until then (and for any
// line without one) OrderItem.product asks inventory, in one call per request, on behalf of the
// viewer, so the answer never lacks what the schema says orders provides.

/** OrderItem.product: a reference, with the name and SKU it was ordered under when known. */
export interface ProductAsOrdered {
  id: string;
  name?: string;
  sku?: string;
}

export async function productAsOrdered(
  item: OrderItem,
  catalog: DataLoader<string, ProductSnapshot | null>,
  info: GraphQLResolveInfo,
): Promise<ProductAsOrdered> {
  if (item.productName !== null && item.productSku !== null)
    return { id: item.productId, name: item.productName, sku: item.productSku };
  // The router fetching other fields from inventory asks only for the key: no call for that.
  if (!asksBeyondId(info)) return { id: item.productId };
  // Unknown to inventory: a bare reference, as the router's own fetch would have found nothing.
  return (await catalog.load(item.productId)) ?? { id: item.productId };
}

/** Products whose lines are filled per run: one inventory call each, however many lines. */
const PRODUCTS_PER_RUN = 50;

/**
 * Fills the record of lines held before lines recorded their product. One held line per product
 * is enough: orders asks inventory, as itself (a background job acts for no user), for that hold's
 * product, then fills every line of the product still without a record in one statement. Lines of
 * a product with no hold (placements that failed before holding) are left to the read path. Safe
 * to run twice at once: a filled line is not written again.
 */
export class ProductSnapshotBackfill {
  constructor(
    private readonly prisma: OrdersPrisma,
    private readonly catalog: ProductCatalog,
    private readonly logger: Logger,
  ) {}

  /** Lines filled in this run. */
  async runOnce(): Promise<number> {
    const ctx: CallContext = {
      requestId: `orders-product-backfill-${randomUUID()}`,
      authorization: null,
      clientAddress: null,
    };
    const todo = await this.prisma.$queryRaw<
      { productId: string; orderId: string; lineNo: number; hospitalOrganizationId: string }[]
    >`
      SELECT DISTINCT ON (i.product_id)
             i.product_id::text AS "productId", i.order_id::text AS "orderId", i.line_no AS "lineNo",
             o.hospital_organization_id::text AS "hospitalOrganizationId"
      FROM order_items i JOIN orders o ON o.id = i.order_id
      WHERE i.product_name IS NULL AND i.reservation_id IS NOT NULL
      ORDER BY i.product_id, o.created_at DESC
      LIMIT ${PRODUCTS_PER_RUN}`;
    let filled = 0;
    for (const line of todo) {
      const product = await this.catalog.productOfHold(
        ctx,
        line.hospitalOrganizationId,
        reservationReference(line.orderId, line.lineNo),
      );
      if (!product) {
        this.logger.warn({ ...line }, 'no hold found for a line without its product record');
        continue;
      }
      const { count } = await this.prisma.orderItem.updateMany({
        where: { productId: line.productId, productName: null },
        data: { productName: product.name, productSku: product.sku },
      });
      filled += count;
    }
    return filled;
  }
}
