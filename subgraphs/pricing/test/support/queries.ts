// GraphQL documents and helpers shared by the pricing HTTP tests.
import type { GraphQLClient, GraphQLResponse } from '@flow/testing';

export const SET_PRICE = /* GraphQL */ `
  mutation SetPrice($input: SetPriceInput!) {
    setPrice(input: $input) {
      id
      vendor {
        id
      }
      product {
        id
      }
      unitPrice {
        amountMinor
        currency
      }
      tiers {
        minQuantity
        unitPrice {
          amountMinor
          currency
        }
      }
      updatedAt
    }
  }
`;

export const SET_DELIVERY_TERMS = /* GraphQL */ `
  mutation SetDeliveryTerms($input: SetDeliveryTermsInput!) {
    setDeliveryTerms(input: $input) {
      vendor {
        id
      }
      baseFee {
        amountMinor
      }
      perKmFee {
        amountMinor
      }
      urgentSurcharge {
        amountMinor
      }
      emergencySurcharge {
        amountMinor
      }
      maxDistanceKm
    }
  }
`;

export const COMPARE_OFFERS = /* GraphQL */ `
  query Compare($productId: ID!, $quantity: Int!, $siteId: ID!, $priority: Priority) {
    compareOffers(productId: $productId, quantity: $quantity, siteId: $siteId, priority: $priority) {
      vendor {
        id
        deliveryTerms {
          maxDistanceKm
        }
      }
      depot {
        id
      }
      product {
        id
      }
      quantity
      unitPrice {
        amountMinor
        currency
      }
      subtotal {
        amountMinor
        currency
      }
      deliveryFee {
        amountMinor
        currency
      }
      total {
        amountMinor
        currency
      }
      availableQuantity
      distanceKm
      etaMinutes
    }
  }
`;

export const PRICE_LIST = /* GraphQL */ `
  query PriceList($vendorId: ID, $productId: ID) {
    priceList(vendorId: $vendorId, productId: $productId, first: 100) {
      totalCount
      edges {
        node {
          id
          vendor {
            id
          }
          product {
            id
          }
          unitPrice {
            amountMinor
          }
          tiers {
            minQuantity
            unitPrice {
              amountMinor
            }
          }
          updatedAt
        }
      }
    }
  }
`;

export interface Amount {
  amountMinor: number;
  currency: string;
}

export interface OfferResult {
  vendor: { id: string; deliveryTerms: { maxDistanceKm: number } | null };
  depot: { id: string };
  product: { id: string };
  quantity: number;
  unitPrice: Amount;
  subtotal: Amount;
  deliveryFee: Amount;
  total: Amount;
  availableQuantity: number;
  distanceKm: number;
  etaMinutes: number;
}

export const USD = (amountMinor: number) => ({ amountMinor, currency: 'USD' });

/** The first error's code and field, to compare in one expectation. */
export const firstError = (result: GraphQLResponse<unknown>) => ({
  code: result.errors?.[0]?.extensions?.code,
  field: result.errors?.[0]?.extensions?.field,
});

/** Sets a price as `token`'s vendor; throws on errors (for setting up). */
export async function setPrice(gql: GraphQLClient, token: string, input: Record<string, unknown>) {
  const result = await gql({ query: SET_PRICE, variables: { input }, token });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
}

export async function setDeliveryTerms(gql: GraphQLClient, token: string, input: Record<string, unknown>) {
  const result = await gql({ query: SET_DELIVERY_TERMS, variables: { input }, token });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
}
