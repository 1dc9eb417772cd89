import { errors, requireViewer } from '@flow/core';
import { Prisma } from '../generated/prisma/client';
import type { AdminPrisma } from '../db';
import type { ServiceContext } from './context';
import { assertCan } from './policy';
import { STATUS_RANK } from './projections';

/** The window of platformStats: orders by the time of their order.placed, [from, to). */
export interface StatsWindow {
  from: Date | null;
  to: Date;
}

export interface PlatformStatsView extends StatsWindow {
  ordersByStatus: { status: string; count: number }[];
  grossMerchandiseValue: Money;
  averageDeliveryMinutes: number | null;
  fillRate: number | null;
}

export interface VendorStatView {
  vendorOrganizationId: string;
  value: Money;
  orders: number;
}

interface Money {
  amountMinor: number;
  currency: string;
}

/** The most vendors topVendors lists. */
export const MAX_TOP_VENDORS = 50;

/** Figures over the projections, each a single statement. */
export class StatsService {
  constructor(
    private readonly prisma: AdminPrisma,
    private readonly currency: string,
  ) {}

  async platformStats(
    ctx: ServiceContext,
    args: { from?: Date | string | null; to?: Date | string | null },
  ): Promise<PlatformStatsView> {
    assertCan.readStats(requireViewer(ctx.viewer));
    const window = windowOf(args);
    const { from, to } = window;
    const [byStatus, [summary], [failures]] = await Promise.all([
      this.prisma.$queryRaw<{ status: string; count: number }[]>`
        SELECT status, count(*)::int AS count FROM order_facts
        WHERE placed_at >= COALESCE(${from}::timestamptz, '-infinity') AND placed_at < ${to}::timestamptz
        GROUP BY status ORDER BY status`,
      this.prisma.$queryRaw<{ placed: number; gmv: string; minutes: number | null }[]>`
        SELECT count(*)::int AS placed,
          COALESCE(sum(total_minor) FILTER (WHERE ${merchandise(this.currency)}), 0)::text AS gmv,
          (avg(EXTRACT(EPOCH FROM delivered_at - placed_at)) FILTER (WHERE delivered_at IS NOT NULL) / 60)::float8 AS minutes
        FROM order_facts
        WHERE placed_at >= COALESCE(${from}::timestamptz, '-infinity') AND placed_at < ${to}::timestamptz`,
      this.prisma.$queryRaw<{ count: number }[]>`
        SELECT count(*)::int AS count FROM placement_failures
        WHERE failure_code = 'OUT_OF_STOCK'
          AND occurred_at >= COALESCE(${from}::timestamptz, '-infinity') AND occurred_at < ${to}::timestamptz`,
    ]);
    const placed = summary!.placed;
    const attempts = placed + failures!.count;
    return {
      ...window,
      ordersByStatus: byStatus.filter((row) => (STATUS_RANK[row.status] ?? 0) > 0),
      grossMerchandiseValue: { amountMinor: Number(summary!.gmv), currency: this.currency },
      averageDeliveryMinutes: summary!.minutes,
      fillRate: attempts === 0 ? null : placed / attempts,
    };
  }

  /** The vendors of the window by value, highest first (ties: more orders, then the lower id). */
  async topVendors(window: StatsWindow, first: number | null | undefined): Promise<VendorStatView[]> {
    const limit = first ?? 5;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_TOP_VENDORS)
      throw errors.badUserInput('first', `first must be between 1 and ${MAX_TOP_VENDORS}.`);
    const rows = await this.prisma.$queryRaw<{ vendor: string; orders: number; value: string }[]>`
      SELECT vendor_organization_id::text AS vendor, count(*)::int AS orders,
        COALESCE(sum(total_minor) FILTER (WHERE ${merchandise(this.currency)}), 0)::text AS value
      FROM order_facts
      WHERE placed_at >= COALESCE(${window.from}::timestamptz, '-infinity') AND placed_at < ${window.to}::timestamptz
      GROUP BY vendor_organization_id
      ORDER BY sum(total_minor) FILTER (WHERE ${merchandise(this.currency)}) DESC NULLS LAST, count(*) DESC, vendor_organization_id
      LIMIT ${limit}`;
    return rows.map((row) => ({
      vendorOrganizationId: row.vendor,
      orders: row.orders,
      value: { amountMinor: Number(row.value), currency: this.currency },
    }));
  }
}

/** What gross merchandise value adds up: orders not rejected or cancelled, in the platform currency. */
const merchandise = (currency: string) =>
  Prisma.sql`status NOT IN ('REJECTED', 'CANCELLED') AND currency = ${currency}`;

function windowOf(args: { from?: Date | string | null; to?: Date | string | null }): StatsWindow {
  const from = args.from == null ? null : new Date(args.from);
  const to = args.to == null ? new Date() : new Date(args.to);
  if (from && from > to) throw errors.badUserInput('to', 'to must not be before from.');
  return { from, to };
}
