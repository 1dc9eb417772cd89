// GraphQL documents shared by the locations tests.
export const SITE_FIELDS = /* GraphQL */ `
  fragment SiteFields on Site {
    id
    name
    kind
    address {
      line1
      city
      region
      postalCode
      country
    }
    position {
      lat
      lng
    }
    positionSource
    organization {
      id
    }
    createdAt
  }
`;

export const CREATE_SITE = /* GraphQL */ `
  mutation CreateSite($input: CreateSiteInput!) {
    createSite(input: $input) {
      ...SiteFields
    }
  }
  ${SITE_FIELDS}
`;

export const SITE = /* GraphQL */ `
  query Site($id: ID!) {
    site(id: $id) {
      ...SiteFields
    }
  }
  ${SITE_FIELDS}
`;

export const SITES = /* GraphQL */ `
  query Sites($organizationId: ID, $kind: SiteKind, $first: Int, $after: String) {
    sites(organizationId: $organizationId, kind: $kind, first: $first, after: $after) {
      totalCount
      edges {
        cursor
        node {
          id
          name
          kind
        }
      }
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
    }
  }
`;

export const ROUTE = /* GraphQL */ `
  query Route($from: ID!, $to: ID!) {
    route(fromSiteId: $from, toSiteId: $to) {
      distanceKm
      durationMinutes
    }
  }
`;

export const ETA = /* GraphQL */ `
  query Eta($from: PositionInput!, $to: ID!) {
    eta(from: $from, toSiteId: $to) {
      distanceKm
      durationMinutes
    }
  }
`;

export const NEAREST_DEPOTS = /* GraphQL */ `
  query NearestDepots($siteId: ID!, $organizationIds: [ID!], $maxDistanceKm: Float, $first: Int) {
    nearestDepots(
      siteId: $siteId
      organizationIds: $organizationIds
      maxDistanceKm: $maxDistanceKm
      first: $first
    ) {
      depot {
        id
        name
        organization {
          id
        }
      }
      distanceKm
      durationMinutes
    }
  }
`;

export const GEOCODE = /* GraphQL */ `
  query Geocode($address: AddressInput!) {
    geocode(address: $address) {
      position {
        lat
        lng
      }
      matchedPlace
      country
    }
  }
`;

export const ENTITIES = /* GraphQL */ `
  query Entities($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Site {
        id
        name
        kind
        position {
          lat
          lng
        }
        organization {
          id
        }
      }
      ... on Organization {
        id
        sites(first: 5) {
          totalCount
          edges {
            node {
              id
              kind
            }
          }
        }
      }
    }
  }
`;

export interface SiteResult {
  id: string;
  name: string;
  kind: 'HOSPITAL_SITE' | 'DEPOT';
  address: { line1: string; city: string; region: string | null; postalCode: string | null; country: string };
  position: { lat: number; lng: number };
  positionSource: 'GIVEN' | 'GEOCODED';
  organization: { id: string };
  createdAt: string;
}

export interface RouteResult {
  distanceKm: number;
  durationMinutes: number;
}

export interface SiteConnectionResult {
  totalCount: number;
  edges: { cursor: string; node: { id: string; name: string; kind: string } }[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}

let counter = 0;
/** A CreateSiteInput with a unique name. */
export function siteInput(
  kind: 'HOSPITAL_SITE' | 'DEPOT',
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  counter += 1;
  return {
    name: `${kind === 'DEPOT' ? 'Depot' : 'Ward block'} ${counter}`,
    kind,
    address: { line1: `${counter} Hospital Road`, city: 'Nairobi', country: 'KE' },
    ...overrides,
  };
}

export const GRANT_SITE_ACCESS = /* GraphQL */ `
  mutation GrantSiteAccess($siteId: ID!, $organizationId: ID!) {
    grantSiteAccess(siteId: $siteId, organizationId: $organizationId)
  }
`;
