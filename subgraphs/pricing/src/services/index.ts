import type { Logger } from '@flow/core';
import type { PricingPrisma } from '../db';
import type { PricingDependencies } from './dependencies';
import { DeliveryTermsService } from './delivery-terms-service';
import { OfferService } from './offer-service';
import { PriceListService } from './price-list-service';

export interface PricingServices {
  priceList: PriceListService;
  deliveryTerms: DeliveryTermsService;
  offers: OfferService;
}

export interface PricingServicesOptions {
  prisma: PricingPrisma;
  dependencies: PricingDependencies;
  platformCurrency: string;
  logger: Logger;
}

export function createPricingServices(options: PricingServicesOptions): PricingServices {
  const { prisma, dependencies, platformCurrency, logger } = options;
  return {
    priceList: new PriceListService(prisma, dependencies, platformCurrency),
    deliveryTerms: new DeliveryTermsService(prisma, platformCurrency),
    offers: new OfferService(prisma, dependencies, platformCurrency, logger.child({ service: 'offers' })),
  };
}
