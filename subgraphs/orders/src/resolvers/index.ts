import { DateTime } from '@flow/core';
import type { Resolvers } from '../generated/resolvers-types';
import { partyAsOrdered } from '../services/party-names';
import { productAsOrdered } from '../services/product-snapshots';

const money = (amountMinor: number, currency: string) => ({ amountMinor, currency });
const ref = (id: string) => ({ id });

export const resolvers: Resolvers = {
  DateTime,
  Query: {
    order: (_, { id }, ctx) => ctx.services.orders.visible(ctx, id),
    orders: (_, args, ctx) => ctx.services.orders.list(ctx, args),
    orderEvent: (_, { id }, ctx) => ctx.services.orders.event(ctx, id),
    deliveryPosition: (_, { id }, ctx) => ctx.services.deliveries.byId(ctx, id),
  },
  Mutation: {
    placeOrder: (_, { input, idempotencyKey }, ctx) =>
      ctx.services.placements.place(ctx, input, idempotencyKey),
    confirmOrder: (_, { orderId }, ctx) => ctx.services.orders.confirm(ctx, orderId),
    rejectOrder: (_, { orderId, reason }, ctx) => ctx.services.orders.reject(ctx, orderId, reason),
    dispatchOrder: (_, { orderId, driverId }, ctx) => ctx.services.orders.dispatch(ctx, orderId, driverId),
    reportDeliveryPosition: (_, args, ctx) => ctx.services.deliveries.report(ctx, args),
    confirmDelivery: (_, { orderId, proof }, ctx) => ctx.services.orders.confirmDelivery(ctx, orderId, proof),
    cancelOrder: (_, { orderId, reason }, ctx) => ctx.services.orders.cancel(ctx, orderId, reason),
  },
  Order: {
    __resolveReference: (reference, ctx) => ctx.services.orders.visible(ctx, reference.id),
    hospital: (o, _, ctx, info) =>
      partyAsOrdered({ kind: 'ORGANIZATION', id: o.hospitalOrganizationId }, ctx.loaders.partyNames, info),
    site: (o, _, ctx, info) => partyAsOrdered({ kind: 'SITE', id: o.siteId }, ctx.loaders.partyNames, info),
    vendor: (o, _, ctx, info) =>
      partyAsOrdered({ kind: 'ORGANIZATION', id: o.vendorOrganizationId }, ctx.loaders.partyNames, info),
    depot: (o, _, ctx, info) => partyAsOrdered({ kind: 'SITE', id: o.depotId }, ctx.loaders.partyNames, info),
    items: (o, _, ctx) => ctx.loaders.itemsByOrderId.load(o.id),
    subtotal: (o) => money(o.subtotalMinor, o.currency),
    deliveryFee: (o) => money(o.deliveryFeeMinor, o.currency),
    total: (o) => money(o.totalMinor, o.currency),
    placedAt: (o) => o.placedAt ?? o.createdAt,
    placedBy: (o) => ref(o.placedBy),
    statusHistory: (o, _, ctx) => ctx.loaders.historyByOrderId.load(o.id),
    delivery: (o) => (o.driverId ? o : null),
  },
  OrderItem: {
    product: (item, _, ctx, info) => productAsOrdered(item, ctx.loaders.catalogProductById, info),
    unitPrice: (item) => money(item.unitPriceMinor, item.currency),
    lineTotal: (item) => money(item.lineTotalMinor, item.currency),
  },
  OrderStatusChange: {
    actor: (change) => (change.actorId ? ref(change.actorId) : null),
  },
  Delivery: {
    driver: (o) => ref(o.driverId!),
    status: (o) => (o.status === 'DELIVERED' ? 'DELIVERED' : 'IN_TRANSIT'),
    dispatchedAt: (o) => o.dispatchedAt ?? o.updatedAt,
    lastPosition: (o, _, ctx) => ctx.loaders.lastPositionByOrderId.load(o.id),
    proof: (o) =>
      o.proofReceivedBy && o.proofSignature
        ? { receivedBy: o.proofReceivedBy, signature: o.proofSignature, deliveredSerials: o.proofSerials }
        : null,
  },
  OrderEvent: {
    actor: (event) => (event.actor ? ref(event.actor) : null),
    order: async (event, _, ctx) => {
      const order = await ctx.loaders.orderById.load(String((event.data as { orderId: string }).orderId));
      if (!order) throw new Error(`order of event ${event.id} is missing`);
      return order;
    },
  },
  DeliveryPosition: {
    position: (p) => ({ lat: p.lat, lng: p.lng }),
  },
};
