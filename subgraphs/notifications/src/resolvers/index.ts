import { DateTime } from '@flow/core';
import type { Resolvers } from '../generated/resolvers-types';

const ref = (id: string | null) => (id === null ? null : { id });

export const resolvers: Resolvers = {
  DateTime,
  Query: {
    notifications: (_, args, ctx) => ctx.services.notifications.list(ctx, args),
    notification: (_, { id }, ctx) => ctx.services.notifications.visible(ctx, id),
    unreadNotificationCount: (_, __, ctx) => ctx.services.notifications.unreadCount(ctx),
  },
  Mutation: {
    markNotificationsRead: (_, { ids }, ctx) => ctx.services.notifications.markRead(ctx, ids),
  },
  Notification: {
    __resolveReference: (reference, ctx) => ctx.services.notifications.visible(ctx, reference.id),
    read: async (n, _, ctx) => (await ctx.services.notifications.readAt(ctx, n)) !== null,
    readAt: (n, _, ctx) => ctx.services.notifications.readAt(ctx, n),
    order: (n) => ref(n.orderId),
    depot: (n) => ref(n.depotId),
    product: (n) => ref(n.productId),
  },
};
