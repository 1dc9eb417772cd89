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
// schema/orders.graphql), so the router does not ask inventory for every order it shows. A line
// held before the record existed is filled the first time it is shown: OrderItem.product asks
// inventory for it, in one call per request on behalf of the viewer (so the answer never lacks
// what the schema says orders provides), and records the answer on every line of that product
// still without one (recordProducts), as the backfill job would. ProductSnapshotBackfill fills
// the lines nobody has shown yet, on demand.

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

/**
 * Records products inventory named (on a read of lines without their record) on every line of
 * theirs still without one: one statement however many products. The catalog's name now, as
 * ProductSnapshotBackfill records it; a line's own record, once made, is never rewritten here.
 */
export async function recordProducts(prisma: OrdersPrisma, products: ProductSnapshot[]): Promise<void> {
  if (products.length === 0) return;
  await prisma.$executeRaw`
    UPDATE order_items i SET product_name = p.name, product_sku = p.sku
    FROM unnest(${products.map((p) => p.id)}::uuid[], ${products.map((p) => p.name)}::text[],
                ${products.map((p) => p.sku)}::text[]) AS p(id, name, sku)
    WHERE i.product_id = p.id AND i.product_name IS NULL`;
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
