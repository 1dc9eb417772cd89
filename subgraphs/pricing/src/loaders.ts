import type DataLoader from 'dataloader';
import { batchLoader } from '@flow/subgraph-kit';
import type { DeliveryTerms } from './generated/prisma/client';
import type { PricingPrisma } from './db';
import { ENTRY_WITH_TIERS, type PriceListEntryWithTiers } from './services/views';

/** One set per request: every entity hop goes through these, so a list costs one query, not N. */
export interface Loaders {
  priceListEntryById: DataLoader<string, PriceListEntryWithTiers | null>;
  deliveryTermsByVendorId: DataLoader<string, DeliveryTerms | null>;
}

export function createLoaders(prisma: PricingPrisma): Loaders {
  return {
    priceListEntryById: batchLoader(
      (ids) => prisma.priceListEntry.findMany({ where: { id: { in: ids } }, ...ENTRY_WITH_TIERS }),
      (entry) => entry.id,
    ),
    deliveryTermsByVendorId: batchLoader(
      (ids) => prisma.deliveryTerms.findMany({ where: { vendorOrganizationId: { in: ids } } }),
      (terms) => terms.vendorOrganizationId,
    ),
  };
}
