import { recordEvents } from '@flow/contracts';
import {
  pageByCreatedAt,
  errors,
  requireText,
  requireUuid,
  requireViewer,
  type Connection,
  type Viewer,
} from '@flow/core';
import { type BaseContext } from '@flow/subgraph-kit';
import type { StockLevel, StockMovement } from '../generated/prisma/client';
import type { InventoryPrisma } from '../db';
import type { Loaders } from '../loaders';
import type { DepotDirectory } from './depot-directory';
import { MAX_UNITS, requireDelta, requireUnits } from './input';
import { assertCan } from './policy';
import { availableOf } from './stock-math';
import type { StockNotifier } from './stock-notifier';
import {
  lockStockLevel,
  recordMovement,
  stockLowEvents,
  writeStockLevel,
  type StockKey,
} from './stock-store';

export type StockContext = BaseContext & { loaders: Loaders };

export interface SetStockInput {
  depotId: string;
  productId: string;
  onHand: number;
  reorderLevel?: number | null;
}

export interface AdjustStockInput {
  depotId: string;
  productId: string;
  delta: number;
  reason: string;
}

export interface ListMovementsInput {
  depotId: string;
  productId?: string | null;
  first?: number | null;
  after?: string | null;
}

/** Most depots one stockLevels call may ask about (a compareOffers fan-out stays far below). */
export const MAX_DEPOTS_PER_QUERY = 500;

export class StockService {
  constructor(
    private readonly prisma: InventoryPrisma,
    private readonly depots: DepotDirectory,
    private readonly notifier: StockNotifier,
  ) {}

  /** Stock of one product at the given depots; public to signed-in users (availability). */
  async levels(
    ctx: StockContext,
    rawProductId: string,
    rawDepotIds: readonly string[],
  ): Promise<StockLevel[]> {
    requireStockReader(ctx);
    const productId = requireUuid(rawProductId, 'productId');
    if (rawDepotIds.length > MAX_DEPOTS_PER_QUERY)
      throw errors.badUserInput('depotIds', `depotIds may name at most ${MAX_DEPOTS_PER_QUERY} depots.`);
    const depotIds = rawDepotIds.map((id, i) => requireUuid(id, `depotIds[${i}]`));
    if (depotIds.length === 0) return [];
    return this.prisma.stockLevel.findMany({
      where: { productId, depotId: { in: [...new Set(depotIds)] } },
      orderBy: { depotId: 'asc' },
    });
  }

  /**
   * Stock of one product at one depot, for whoever may see `levels`; null when the depot does not
   * carry it. The router reads with it the new level for each stockLevelChanged notification.
   */
  async level(ctx: StockContext, rawDepotId: string, rawProductId: string): Promise<StockLevel | null> {
    requireStockReader(ctx);
    const depotId = requireUuid(rawDepotId, 'depotId');
    const productId = requireUuid(rawProductId, 'productId');
    return this.prisma.stockLevel.findUnique({ where: { depotId_productId: { depotId, productId } } });
  }

  /** Sets the counted stock at one of the caller's depots. */
  async setStock(ctx: StockContext, input: SetStockInput): Promise<StockLevel> {
    const viewer = requireViewer(ctx.viewer);
    assertCan.changeStock(viewer);
    const key = this.stockKey(input);
    const onHand = requireUnits(input.onHand, 'input.onHand');
    const reorderLevel =
      input.reorderLevel === null || input.reorderLevel === undefined
        ? null
        : requireUnits(input.reorderLevel, 'input.reorderLevel');
    await this.requireOwnDepotAndProduct(ctx, viewer, key);

    return this.change(ctx, viewer, key, (before) => {
      if (onHand < before.reserved)
        throw errors.badUserInput(
          'input.onHand',
          `input.onHand cannot be below the ${before.reserved} units reserved for orders.`,
        );
      return { kind: 'SET', onHand, reorderLevel: reorderLevel ?? before.reorderLevel, reason: null };
    });
  }

  /** Adds or removes stock at one of the caller's depots, with a reason. */
  async adjustStock(ctx: StockContext, input: AdjustStockInput): Promise<StockLevel> {
    const viewer = requireViewer(ctx.viewer);
    assertCan.changeStock(viewer);
    const key = this.stockKey(input);
    const delta = requireDelta(input.delta, 'input.delta');
    const reason = requireText(input.reason, 'input.reason', { max: 500 });
    await this.requireOwnDepotAndProduct(ctx, viewer, key);

    return this.change(ctx, viewer, key, (before) => {
      const onHand = before.onHand + delta;
      if (onHand < before.reserved)
        throw errors.badUserInput(
          'input.delta',
          before.reserved === 0
            ? `input.delta would take stock below zero: only ${before.onHand} on hand.`
            : `input.delta would leave ${onHand} on hand, below the ${before.reserved} units reserved.`,
        );
      if (onHand > MAX_UNITS)
        throw errors.badUserInput('input.delta', `input.delta would leave more than ${MAX_UNITS} on hand.`);
      return { kind: 'ADJUST', onHand, reorderLevel: before.reorderLevel, reason };
    });
  }

  /** Every change of a depot's stock, newest first: the depot's vendor and platform admins. */
  async movements(ctx: StockContext, input: ListMovementsInput): Promise<Connection<StockMovement>> {
    const viewer = requireViewer(ctx.viewer);
    assertCan.seeMovements(viewer);
    const depotId = requireUuid(input.depotId, 'depotId');
    const productId = input.productId ? requireUuid(input.productId, 'productId') : undefined;
    // A depot unknown here has never had stock, so it has no movements to hide or show: no
    // need to ask locations who owns it.
    const owner = await this.depots.knownOwner(depotId);
    assertCan.seeMovements(viewer, owner);
    if (!owner)
      return pageByCreatedAt(
        input,
        'desc',
        async () => [],
        async () => 0,
      );

    const where = { depotId, ...(productId ? { productId } : {}) };
    return pageByCreatedAt(
      input,
      'desc',
      (page) => this.prisma.stockMovement.findMany({ ...page, where: { ...where, ...page.where } }),
      () => this.prisma.stockMovement.count({ where }),
    );
  }

  private stockKey(input: { depotId: string; productId: string }): StockKey {
    return {
      depotId: requireUuid(input.depotId, 'input.depotId'),
      productId: requireUuid(input.productId, 'input.productId'),
    };
  }

  /** The product must exist and the depot must be the caller's (asks locations the first time). */
  private async requireOwnDepotAndProduct(ctx: StockContext, viewer: Viewer, key: StockKey): Promise<void> {
    const product = await ctx.loaders.productById.load(key.productId);
    if (!product)
      throw errors.badUserInput('input.productId', 'input.productId is not a product of the catalog.');
    const owner = await this.depots.ownerOf(ctx, key.depotId, 'input.depotId');
    assertCan.changeDepotStock(viewer, owner);
  }

  /**
   * One locked read-decide-write of a stock row, with its movement and any stock.low event in
   * the same transaction. `decide` throws to refuse; then nothing at all is written.
   */
  private async change(
    ctx: StockContext,
    viewer: Viewer,
    key: StockKey,
    decide: (before: StockLevel) => {
      kind: 'SET' | 'ADJUST';
      onHand: number;
      reorderLevel: number;
      reason: string | null;
    },
  ): Promise<StockLevel> {
    const { after, low, kind } = await this.prisma.$transaction(async (tx) => {
      const before = await lockStockLevel(tx, key, viewer.organizationId);
      const decision = decide(before);
      const after = await writeStockLevel(tx, key, decision);
      await recordMovement(tx, {
        kind: decision.kind,
        before,
        after,
        reason: decision.reason,
        actorId: viewer.userId,
      });
      const low = stockLowEvents(before, after, viewer.userId);
      await recordEvents(tx, low);
      return { after, low: low.length > 0, kind: decision.kind };
    });
    await this.notifier.changed(kind === 'SET' ? 'stock.set' : 'stock.adjusted', [after]);
    if (low)
      ctx.logger.warn(
        { ...key, available: availableOf(after), reorderLevel: after.reorderLevel },
        'stock low',
      );
    ctx.loaders.stockLevelsByDepotId.clear(key.depotId);
    ctx.loaders.stockLevelsByProductId.clear(key.productId);
    return after;
  }
}

/** Who may see stock levels: any signed-in user (availability is what hospitals order by). */
function requireStockReader(ctx: StockContext): void {
  assertCan.readStock(ctx);
}
