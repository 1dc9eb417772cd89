import type { Prisma } from '../generated/prisma/client';
import type { Money } from './money';

// How rows become what the GraphQL types resolve from. Cross-subgraph entities are `{ id }`
// references: the router fetches their fields from the subgraph that owns them.

export interface EntityReference {
  id: string;
}

/** A price list entry is always read with its tiers, lowest quantity first. */
export const ENTRY_WITH_TIERS = {
  include: { tiers: { orderBy: { minQuantity: 'asc' } } },
} as const satisfies Prisma.PriceListEntryDefaultArgs;

export type PriceListEntryWithTiers = Prisma.PriceListEntryGetPayload<typeof ENTRY_WITH_TIERS>;

export interface PriceListEntryView {
  id: string;
  vendor: EntityReference;
  product: EntityReference;
  unitPrice: Money;
  tiers: { minQuantity: number; unitPrice: Money }[];
  updatedAt: Date;
}

export const money = (amountMinor: number, currency: string): Money => ({ amountMinor, currency });

export function toPriceListEntryView(entry: PriceListEntryWithTiers): PriceListEntryView {
  return {
    id: entry.id,
    vendor: { id: entry.vendorOrganizationId },
    product: { id: entry.productId },
    unitPrice: money(entry.unitPriceMinor, entry.currency),
    tiers: entry.tiers.map((tier) => ({
      minQuantity: tier.minQuantity,
      unitPrice: money(tier.unitPriceMinor, entry.currency),
    })),
    updatedAt: entry.updatedAt,
  };
}
