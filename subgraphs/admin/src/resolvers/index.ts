import { DateTime } from '@flow/core';
import type { Resolvers } from '../generated/resolvers-types';
import { actorOf } from '../services/audit-service';

export const resolvers: Resolvers = {
  DateTime,
  Query: {
    platformStats: (_, args, ctx) => ctx.services.stats.platformStats(ctx, args),
    auditLog: (_, args, ctx) => ctx.services.audit.list(ctx, args),
  },
  PlatformStats: {
    topVendors: (stats, { first }, ctx) => ctx.services.stats.topVendors(stats, first),
  },
  VendorStat: {
    vendor: (stat) => ({ id: stat.vendorOrganizationId }),
  },
  AuditEvent: {
    actor: (event) => actorOf(event),
    organizations: (event) => event.organizationIds.map((id) => ({ id })),
    data: (event) => JSON.stringify(event.data),
  },
  AuditActor: {
    user: (actor) => (actor.kind === 'USER' ? { id: actor.id! } : null),
  },
};
