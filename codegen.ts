// GraphQL Code Generator: typed resolvers for every subgraph, mapped onto its Prisma models, and
// typed documents for every operation one subgraph sends another (scripts/lib/subgraph-clients.ts).
// Run by `npm run generate` (and on install); the output is never edited by hand.
import type { CodegenConfig } from '@graphql-codegen/cli';
import { subgraphCatalog } from '@flow/core';
import { clientCodegenTarget, findClientOperations } from './scripts/lib/subgraph-clients';

/** GraphQL type -> the Prisma model (or service type) its resolvers receive as parent. */
const mappers: Record<string, Record<string, string>> = {
  users: {
    Organization: './prisma/client#Organization as OrganizationModel',
    User: './prisma/client#User as UserModel',
    AuthPayload: '../services/auth-service#AuthResult',
    ClientApplication: './prisma/client#ClientApplication as ClientApplicationModel',
  },
  locations: {
    Site: './prisma/client#Site as SiteModel',
    Organization: '../services/site-service#OrganizationReference',
  },
  inventory: {
    Product: './prisma/client#Product as ProductModel',
    StockLevel: './prisma/client#StockLevel as StockLevelModel',
    Reservation: './prisma/client#Reservation as ReservationModel',
    StockMovement: './prisma/client#StockMovement as StockMovementModel',
    Site: '../services/depot-directory#SiteReference',
  },
  payments: {
    Payment: './prisma/client#Payment as PaymentModel',
    Refund: './prisma/client#Refund as RefundModel',
    Invoice: './prisma/client#Invoice as InvoiceModel',
  },
  orders: {
    Order: './prisma/client#Order as OrderModel',
    OrderItem: './prisma/client#OrderItem as OrderItemModel',
    OrderStatusChange: './prisma/client#OrderStatusChange as OrderStatusChangeModel',
    Delivery: './prisma/client#Order as DeliveryOrderModel',
    DeliveryPosition: './prisma/client#DeliveryPosition as DeliveryPositionModel',
    OrderEvent: './prisma/client#OutboxEvent as OrderEventModel',
    // A reference; with the name and sku an order line provides (inventory's fields, @external).
    Product: '../services/product-snapshots#ProductAsOrdered',
    // References; with the name an order provides (users' and locations' fields, @external).
    Organization: '../services/party-names#PartyReference',
    Site: '../services/party-names#PartyReference',
  },
  pricing: {
    PriceListEntry: '../services/price-list-service#PriceListEntryView',
    DeliveryTerms: './prisma/client#DeliveryTerms as DeliveryTermsModel',
    Offer: '../services/offer-service#OfferView',
    // References; a name (users' and locations', @external) is there only where an offer provides it.
    Organization: '../services/views#EntityReference',
    Site: '../services/views#EntityReference',
  },
  notifications: {
    Notification: './prisma/client#Notification as NotificationModel',
  },
  reviews: {
    Review: './prisma/client#Review as ReviewModel',
    RatingSummary: '../services/ratings#RatingSummary as RatingSummaryView',
    Organization: '../services/views#OrganizationReference',
    Offer: '../services/views#OfferReference',
  },
  admin: {
    AuditEvent: './prisma/client#AuditEvent as AuditEventModel',
    AuditActor: '../services/audit-service#AuditActorView',
    PlatformStats: '../services/stats-service#PlatformStatsView',
    VendorStat: '../services/stats-service#VendorStatView',
  },
};

const config: CodegenConfig = {
  overwrite: true,
  silent: true,
  generates: Object.fromEntries([
    ...subgraphCatalog.map(({ name }) => [
      `subgraphs/${name}/src/generated/resolvers-types.ts`,
      {
        schema: `schema/${name}.graphql`,
        plugins: ['typescript', 'typescript-resolvers'],
        config: {
          federation: true,
          useIndexSignature: true,
          contextType: '../context#Context',
          mappers: mappers[name] ?? {},
          enumsAsTypes: true,
          scalars: { DateTime: 'Date | string' },
          useTypeImports: true,
          maybeValue: 'T | null | undefined',
        },
      },
    ]),
    ...findClientOperations().map((set) => [set.output, clientCodegenTarget(set)]),
  ]),
};

export default config;
