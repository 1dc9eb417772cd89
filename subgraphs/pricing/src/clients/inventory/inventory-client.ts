import type { CallContext, SubgraphClient } from '@flow/subgraph-kit';
import { PricingProductDocument, PricingStockDocument } from '../../generated/clients/inventory';
import type { PricingDependencies, ProductSummary, StockAtDepots } from '../../services/dependencies';

/** inventory, as pricing asks for a product and its stock at depots. */
export class InventoryClient implements Pick<PricingDependencies, 'product' | 'stock'> {
  constructor(private readonly inventory: SubgraphClient) {}

  async product(ctx: CallContext, productId: string): Promise<ProductSummary | null> {
    const data = await this.inventory.idempotent(ctx, PricingProductDocument, { id: productId });
    return data.product;
  }

  async stock(ctx: CallContext, productId: string, depotIds: string[]): Promise<StockAtDepots> {
    const data = await this.inventory.idempotent(ctx, PricingStockDocument, { productId, depotIds });
    return {
      product: data.product,
      availableByDepot: new Map((data.stockLevels ?? []).map((level) => [level.depot.id, level.available])),
    };
  }
}
