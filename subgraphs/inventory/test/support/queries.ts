// GraphQL documents shared by the inventory tests.
export const PRODUCTS = /* GraphQL */ `
  query Products($filter: ProductFilter, $first: Int, $after: String) {
    products(filter: $filter, first: $first, after: $after) {
      totalCount
      edges {
        cursor
        node {
          id
          sku
          name
          category
          gas
          capacityLiters
          gasContentLiters
          description
          active
        }
      }
      pageInfo {
        hasNextPage
        hasPreviousPage
        endCursor
      }
    }
  }
`;

export const CREATE_PRODUCT = /* GraphQL */ `
  mutation CreateProduct($input: CreateProductInput!) {
    createProduct(input: $input) {
      id
      sku
      name
      category
      gas
      capacityLiters
      gasContentLiters
      description
      active
    }
  }
`;

export const UPDATE_PRODUCT = /* GraphQL */ `
  mutation UpdateProduct($id: ID!, $input: UpdateProductInput!) {
    updateProduct(id: $id, input: $input) {
      id
      name
      description
      active
    }
  }
`;

const LEVEL_FIELDS = `
  depot { id }
  product { id sku }
  onHand
  reserved
  available
  reorderLevel
  belowReorderLevel
  updatedAt
`;

export const SET_STOCK = /* GraphQL */ `
  mutation SetStock($input: SetStockInput!) {
    setStock(input: $input) { ${LEVEL_FIELDS} }
  }
`;

export const ADJUST_STOCK = /* GraphQL */ `
  mutation AdjustStock($input: AdjustStockInput!) {
    adjustStock(input: $input) { ${LEVEL_FIELDS} }
  }
`;

export const STOCK_LEVELS = /* GraphQL */ `
  query StockLevels($productId: ID!, $depotIds: [ID!]!) {
    stockLevels(productId: $productId, depotIds: $depotIds) { ${LEVEL_FIELDS} }
  }
`;

export const STOCK_LEVEL = /* GraphQL */ `
  query StockLevel($depotId: ID!, $productId: ID!) {
    stockLevel(depotId: $depotId, productId: $productId) { ${LEVEL_FIELDS} }
  }
`;

export const MOVEMENTS = /* GraphQL */ `
  query Movements($depotId: ID!, $productId: ID, $first: Int, $after: String) {
    stockMovements(depotId: $depotId, productId: $productId, first: $first, after: $after) {
      totalCount
      edges {
        node {
          kind
          depot {
            id
          }
          product {
            id
          }
          onHandDelta
          reservedDelta
          onHandAfter
          reservedAfter
          reason
          actorId
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

const RESERVATION_FIELDS = `id reference status quantity expiresAt createdAt depot { id } product { id }`;

export const RESERVE = /* GraphQL */ `
  mutation Reserve($input: ReserveStockInput!) {
    reserveStock(input: $input) { ${RESERVATION_FIELDS} }
  }
`;

export const COMMIT = /* GraphQL */ `
  mutation Commit($id: ID!) {
    commitReservation(id: $id) { ${RESERVATION_FIELDS} }
  }
`;

export const RELEASE = /* GraphQL */ `
  mutation Release($id: ID!, $reason: String) {
    releaseReservation(id: $id, reason: $reason) { ${RESERVATION_FIELDS} }
  }
`;

export const RESERVATION = /* GraphQL */ `
  query Reservation($id: ID!) {
    reservation(id: $id) { ${RESERVATION_FIELDS} }
  }
`;

export const RESERVATION_BY_REFERENCE = /* GraphQL */ `
  query ReservationByReference($organizationId: ID!, $reference: String!) {
    reservationByReference(organizationId: $organizationId, reference: $reference) { ${RESERVATION_FIELDS} }
  }
`;

export interface Level {
  depot: { id: string };
  product: { id: string; sku: string };
  onHand: number;
  reserved: number;
  available: number;
  reorderLevel: number;
  belowReorderLevel: boolean;
  updatedAt: string;
}

export interface ReservationResult {
  id: string;
  reference: string;
  status: string;
  quantity: number;
  expiresAt: string;
  depot: { id: string };
  product: { id: string };
}

export interface ProductResult {
  id: string;
  sku: string;
  name: string;
  category: string;
  gas: string | null;
  capacityLiters: number | null;
  gasContentLiters: number | null;
  description: string | null;
  active: boolean;
}

export const HELD_RESERVATIONS = /* GraphQL */ `
  query Held($olderThanSeconds: Int!, $after: ID, $first: Int) {
    heldReservations(olderThanSeconds: $olderThanSeconds, after: $after, first: $first) {
      id
      reference
    }
  }
`;
