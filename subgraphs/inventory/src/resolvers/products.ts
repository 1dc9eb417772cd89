import { errors, requireViewer } from '@flow/core';
import type { Context } from '../context';
import type { MutationResolvers, ProductResolvers, QueryResolvers } from '../generated/resolvers-types';

export const productQueries: Pick<QueryResolvers, 'products' | 'product'> = {
  products: (_, args, ctx) => ctx.services.products.list(ctx, args),
  product: (_, { id }, ctx) => ctx.services.products.byId(ctx, id),
};

export const productMutations: Pick<MutationResolvers, 'createProduct' | 'updateProduct'> = {
  createProduct: (_, { input }, ctx) => ctx.services.products.create(ctx, input),
  updateProduct: (_, { id, input }, ctx) => ctx.services.products.update(ctx, id, input),
};

export const Product: ProductResolvers = {
  __resolveReference: (reference, ctx) => {
    requireViewer(ctx.viewer);
    return ctx.loaders.productById.load(reference.id);
  },
  stockLevels: (product, _, ctx) => ctx.loaders.stockLevelsByProductId.load(product.id),
};

/** The product of a stock row, reservation or movement (a foreign key: it exists). */
export async function productOf(ctx: Context, productId: string) {
  const product = await ctx.loaders.productById.load(productId);
  if (!product) throw errors.notFound('Product', productId);
  return product;
}
