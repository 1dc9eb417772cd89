import type { Logger } from '@flow/core';
import type { InventoryPrisma } from '../db';
import { standardProducts, type StandardProduct } from './standard-products';

/**
 * Upserts the standard products by SKU; safe to run at every start and from several instances
 * at once. The physical facts (category, gas, capacities) follow the seed file; name,
 * description and active stay as platform admins last set them.
 */
export async function seedStandardProducts(
  prisma: InventoryPrisma,
  logger: Logger,
  products: readonly StandardProduct[] = standardProducts,
): Promise<void> {
  let changed = 0;
  for (const p of products) {
    changed += await prisma.$executeRaw`
      INSERT INTO products (id, sku, name, category, gas, capacity_liters, gas_content_liters,
        description, updated_at)
      VALUES (gen_random_uuid(), ${p.sku}, ${p.name}, ${p.category}::"ProductCategory", ${p.gas},
        ${p.capacityLiters}::double precision, ${p.gasContentLiters}::double precision,
        ${p.description}, now())
      ON CONFLICT (sku) DO UPDATE SET
        category = EXCLUDED.category, gas = EXCLUDED.gas, capacity_liters = EXCLUDED.capacity_liters,
        gas_content_liters = EXCLUDED.gas_content_liters, updated_at = now()
      WHERE (products.category, products.gas, products.capacity_liters, products.gas_content_liters)
        IS DISTINCT FROM (EXCLUDED.category, EXCLUDED.gas, EXCLUDED.capacity_liters, EXCLUDED.gas_content_liters)`;
  }
  if (changed > 0) logger.info({ changed }, 'standard products seeded');
}
