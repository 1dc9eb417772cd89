import { pageByCreatedAt, errors, requireUuid, requireViewer, type Connection } from '@flow/core';
import type { PricingPrisma } from '../db';
import type { ServiceContext } from './context';
import type { PricingDependencies } from './dependencies';
import { requireMoney, requireTiers, type MoneyInput, type TierInput } from './money-input';
import { assertCan, canSee, visibleWhere } from './policy';
import { ENTRY_WITH_TIERS, toPriceListEntryView, type PriceListEntryView } from './views';
import { isUniqueViolation } from '@flow/subgraph-kit';

export type { PriceListEntryView } from './views';

export interface SetPriceInput {
  productId: string;
  unitPrice: MoneyInput;
  tiers?: readonly TierInput[] | null;
}

export interface PriceListArgs {
  vendorId?: string | null;
  productId?: string | null;
  first?: number | null;
  after?: string | null;
}

export class PriceListService {
  constructor(
    private readonly prisma: PricingPrisma,
    private readonly dependencies: PricingDependencies,
    private readonly platformCurrency: string,
  ) {}

  /**
   * Sets the caller's own vendor price for a product, replacing its tiers. There is no vendor
   * argument: the entry is always the viewer's organization's, so no vendor can touch another's.
   */
  async setPrice(ctx: ServiceContext, input: SetPriceInput): Promise<PriceListEntryView> {
    const viewer = requireViewer(ctx.viewer);
    assertCan.setPrices(viewer);
    const productId = requireUuid(input.productId, 'input.productId');
    const currency = this.platformCurrency;
    const unitPriceMinor = requireMoney(input.unitPrice, 'input.unitPrice', currency);
    const tiers = requireTiers(input.tiers ?? [], 'input.tiers', currency);

    const product = await this.dependencies.product(ctx, productId);
    if (!product)
      throw errors.badUserInput('input.productId', 'input.productId is not a product of the catalog.');
    if (!product.active)
      throw errors.badUserInput('input.productId', 'input.productId is a product that is no longer offered.');

    const key = { vendorOrganizationId: viewer.organizationId, productId };
    const write = () =>
      // The upsert locks the entry's row, so two editors at once replace the tiers one after the other.
      this.prisma.$transaction(async (tx) => {
        const entry = await tx.priceListEntry.upsert({
          where: { vendorOrganizationId_productId: key },
          create: { ...key, unitPriceMinor, currency },
          update: { unitPriceMinor, currency },
        });
        await tx.priceTier.deleteMany({ where: { entryId: entry.id } });
        if (tiers.length) {
          await tx.priceTier.createMany({ data: tiers.map((tier) => ({ entryId: entry.id, ...tier })) });
        }
        return tx.priceListEntry.findUniqueOrThrow({ where: { id: entry.id }, ...ENTRY_WITH_TIERS });
      });
    // Two first-time writes of the same entry race on the insert; the loser retries as an update.
    const entry = await write().catch((error: unknown) => {
      if (isUniqueViolation(error)) return write();
      throw error;
    });
    ctx.logger.info(
      { vendorId: viewer.organizationId, productId, unitPriceMinor, tiers: tiers.length, by: viewer.userId },
      'price set',
    );
    return toPriceListEntryView(entry);
  }

  /**
   * Price list entries, newest first. Hospitals and platform admins see every vendor's; a vendor
   * sees its own only (asking for another's is FORBIDDEN).
   */
  async list(ctx: ServiceContext, args: PriceListArgs): Promise<Connection<PriceListEntryView>> {
    const viewer = requireViewer(ctx.viewer);
    const vendorId = args.vendorId ? requireUuid(args.vendorId, 'vendorId') : null;
    const productId = args.productId ? requireUuid(args.productId, 'productId') : null;
    if (vendorId) assertCan.seePriceList(viewer, vendorId);
    const where = {
      ...(vendorId ? { vendorOrganizationId: vendorId } : {}),
      ...visibleWhere(viewer),
      ...(productId ? { productId } : {}),
    };
    const connection = await pageByCreatedAt(
      args,
      'desc',
      (page) =>
        this.prisma.priceListEntry.findMany({
          ...page,
          where: { ...where, ...page.where },
          ...ENTRY_WITH_TIERS,
        }),
      () => this.prisma.priceListEntry.count({ where }),
    );
    return {
      ...connection,
      edges: connection.edges.map((edge) => ({ ...edge, node: toPriceListEntryView(edge.node) })),
    };
  }

  /** An entry by id for an entity reference; null when it does not exist or is not the viewer's to see. */
  async byReference(ctx: ServiceContext, id: string): Promise<PriceListEntryView | null> {
    const viewer = requireViewer(ctx.viewer);
    const entry = await ctx.loaders.priceListEntryById.load(id);
    if (!entry || !canSee(viewer, entry.vendorOrganizationId)) return null;
    return toPriceListEntryView(entry);
  }
}
