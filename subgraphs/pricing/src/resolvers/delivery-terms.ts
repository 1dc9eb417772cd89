import type {
  DeliveryTermsResolvers,
  MutationResolvers,
  OrganizationResolvers,
  QueryResolvers,
} from '../generated/resolvers-types';
import { money } from '../services/views';

export const deliveryTermsQueries: Pick<QueryResolvers, 'deliveryTerms'> = {
  deliveryTerms: (_, { vendorId }, ctx) => ctx.services.deliveryTerms.forVendor(ctx, vendorId),
};

export const deliveryTermsMutations: Pick<MutationResolvers, 'setDeliveryTerms'> = {
  setDeliveryTerms: (_, { input }, ctx) => ctx.services.deliveryTerms.setDeliveryTerms(ctx, input),
};

export const DeliveryTerms: DeliveryTermsResolvers = {
  vendor: (terms) => ({ id: terms.vendorOrganizationId }),
  baseFee: (terms) => money(terms.baseFeeMinor, terms.currency),
  perKmFee: (terms) => money(terms.perKmFeeMinor, terms.currency),
  urgentSurcharge: (terms) => money(terms.urgentSurchargeMinor, terms.currency),
  emergencySurcharge: (terms) => money(terms.emergencySurchargeMinor, terms.currency),
};

/** Organizations belong to users; pricing adds their delivery terms (through a per-request loader). */
export const Organization: OrganizationResolvers = {
  __resolveReference: (reference) => ({ id: reference.id }),
  deliveryTerms: (organization, _, ctx) => ctx.services.deliveryTerms.ofOrganization(ctx, organization.id),
};
