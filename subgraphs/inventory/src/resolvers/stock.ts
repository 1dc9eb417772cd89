import { requireViewer } from '@flow/core';
import type {
  MutationResolvers,
  QueryResolvers,
  SiteResolvers,
  StockLevelResolvers,
  StockMovementResolvers,
} from '../generated/resolvers-types';
import { availableOf, isBelowReorderLevel } from '../services/stock-math';
import { productOf } from './products';

export const stockQueries: Pick<QueryResolvers, 'stockLevels' | 'stockLevel' | 'stockMovements'> = {
  stockLevels: (_, { productId, depotIds }, ctx) => ctx.services.stock.levels(ctx, productId, depotIds),
  stockLevel: (_, { depotId, productId }, ctx) => ctx.services.stock.level(ctx, depotId, productId),
  stockMovements: (_, args, ctx) => ctx.services.stock.movements(ctx, args),
};

export const stockMutations: Pick<MutationResolvers, 'setStock' | 'adjustStock'> = {
  setStock: (_, { input }, ctx) => ctx.services.stock.setStock(ctx, input),
  adjustStock: (_, { input }, ctx) => ctx.services.stock.adjustStock(ctx, input),
};

export const StockLevel: StockLevelResolvers = {
  depot: (level) => ({ id: level.depotId }),
  product: (level, _, ctx) => productOf(ctx, level.productId),
  available: (level) => availableOf(level),
  belowReorderLevel: (level) => isBelowReorderLevel(level),
};

export const StockMovement: StockMovementResolvers = {
  depot: (movement) => ({ id: movement.depotId }),
  product: (movement, _, ctx) => productOf(ctx, movement.productId),
};

/** A depot as a federated entity: inventory adds its stock. */
export const Site: SiteResolvers = {
  __resolveReference: (reference, ctx) => {
    requireViewer(ctx.viewer);
    return { id: reference.id };
  },
  stock: (site, _, ctx) => ctx.loaders.stockLevelsByDepotId.load(site.id),
};
