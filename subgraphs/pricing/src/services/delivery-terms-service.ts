import { errors, requireUuid, requireViewer } from '@flow/core';
import type { DeliveryTerms } from '../generated/prisma/client';
import type { PricingPrisma } from '../db';
import type { ServiceContext } from './context';
import { requireMoney, type MoneyInput } from './money-input';
import { assertCan, canSee } from './policy';

export interface SetDeliveryTermsInput {
  baseFee: MoneyInput;
  perKmFee: MoneyInput;
  urgentSurcharge?: MoneyInput | null;
  emergencySurcharge: MoneyInput;
  maxDistanceKm: number;
}

/** Farther than this no oxygen delivery is planned; a larger range is a typo, not a policy. */
export const MAX_DELIVERY_DISTANCE_KM = 2000;

export class DeliveryTermsService {
  constructor(
    private readonly prisma: PricingPrisma,
    private readonly platformCurrency: string,
  ) {}

  /** Sets the caller's own vendor delivery terms (vendor admins). */
  async setDeliveryTerms(ctx: ServiceContext, input: SetDeliveryTermsInput): Promise<DeliveryTerms> {
    const viewer = requireViewer(ctx.viewer);
    assertCan.setDeliveryTerms(viewer);
    const currency = this.platformCurrency;
    const fees = {
      baseFeeMinor: requireMoney(input.baseFee, 'input.baseFee', currency),
      perKmFeeMinor: requireMoney(input.perKmFee, 'input.perKmFee', currency),
      urgentSurchargeMinor: input.urgentSurcharge
        ? requireMoney(input.urgentSurcharge, 'input.urgentSurcharge', currency)
        : 0,
      emergencySurchargeMinor: requireMoney(input.emergencySurcharge, 'input.emergencySurcharge', currency),
    };
    const maxDistanceKm = input.maxDistanceKm;
    if (!Number.isFinite(maxDistanceKm) || maxDistanceKm <= 0 || maxDistanceKm > MAX_DELIVERY_DISTANCE_KM) {
      throw errors.badUserInput(
        'input.maxDistanceKm',
        `input.maxDistanceKm must be more than 0 and at most ${MAX_DELIVERY_DISTANCE_KM}.`,
      );
    }
    const vendorOrganizationId = viewer.organizationId;
    const data = { currency, ...fees, maxDistanceKm };
    const terms = await this.prisma.deliveryTerms.upsert({
      where: { vendorOrganizationId },
      create: { vendorOrganizationId, ...data },
      update: data,
    });
    ctx.logger.info({ vendorId: vendorOrganizationId, ...data, by: viewer.userId }, 'delivery terms set');
    return terms;
  }

  /** A vendor's terms, or null when it has set none; FORBIDDEN for a competitor's. */
  async forVendor(ctx: ServiceContext, rawVendorId: string): Promise<DeliveryTerms | null> {
    const viewer = requireViewer(ctx.viewer);
    const vendorId = requireUuid(rawVendorId, 'vendorId');
    assertCan.seeDeliveryTerms(viewer, vendorId);
    return ctx.loaders.deliveryTermsByVendorId.load(vendorId);
  }

  /** Organization.deliveryTerms: null when there are none or they are not the viewer's to see. */
  async ofOrganization(ctx: ServiceContext, organizationId: string): Promise<DeliveryTerms | null> {
    const viewer = requireViewer(ctx.viewer);
    if (!canSee(viewer, organizationId)) return null;
    return ctx.loaders.deliveryTermsByVendorId.load(organizationId);
  }
}
