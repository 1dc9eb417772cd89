import type { CallContext, SubgraphClient } from '@flow/subgraph-kit';
import { OrdersOffersDocument } from '../../generated/clients/pricing';
import type { Offer, OfferRequest, OfferSource } from '../../services/dependencies';

/** pricing, as orders asks it for offers. */
export class PricingClient implements OfferSource {
  constructor(private readonly pricing: SubgraphClient) {}

  async offers(ctx: CallContext, request: OfferRequest): Promise<Offer[]> {
    const data = await this.pricing.idempotent(ctx, OrdersOffersDocument, request);
    return (data.compareOffers ?? []).map((o) => ({
      vendorId: o.vendor.id,
      depotId: o.depot.id,
      productId: request.productId,
      quantity: request.quantity,
      unitPriceMinor: o.unitPrice.amountMinor,
      subtotalMinor: o.subtotal.amountMinor,
      deliveryFeeMinor: o.deliveryFee.amountMinor,
      currency: o.unitPrice.currency,
      distanceKm: o.distanceKm,
      etaMinutes: o.etaMinutes,
    }));
  }
}
