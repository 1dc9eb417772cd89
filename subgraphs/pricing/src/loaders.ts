import DataLoader from 'dataloader';
import { isUuid } from '@flow/platform';
import type { DeliveryTerms } from './generated/prisma/client';
import type { PricingPrisma } from './db';
import { ENTRY_WITH_TIERS, type PriceListEntryWithTiers } from './services/views';

/** One set per request: every entity hop goes through these, so a list costs one query, not N. */
export interface Loaders {
  priceListEntryById: DataLoader<string, PriceListEntryWithTiers | null>;
  deliveryTermsByVendorId: DataLoader<string, DeliveryTerms | null>;
}

function byKey<Row>(key: (row: Row) => string, fetch: (keys: string[]) => Promise<Row[]>) {
  return new DataLoader<string, Row | null>(async (keys) => {
    const valid = [...new Set(keys.filter(isUuid).map((k) => k.toLowerCase()))];
    const rows = valid.length ? await fetch(valid) : [];
    const found = new Map(rows.map((row) => [key(row), row]));
    return keys.map((k) => found.get(k.toLowerCase()) ?? null);
  });
}

export function createLoaders(prisma: PricingPrisma): Loaders {
  return {
    priceListEntryById: byKey(
      (entry) => entry.id,
      (ids) => prisma.priceListEntry.findMany({ where: { id: { in: ids } }, ...ENTRY_WITH_TIERS }),
    ),
    deliveryTermsByVendorId: byKey(
      (terms) => terms.vendorOrganizationId,
      (ids) => prisma.deliveryTerms.findMany({ where: { vendorOrganizationId: { in: ids } } }),
    ),
  };
}
