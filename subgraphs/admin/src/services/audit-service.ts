import {
  decodeCursor,
  errors,
  isUuid,
  pageSize,
  requireUuid,
  requireViewer,
  toConnection,
  type Connection,
} from '@flow/core';
import type { AuditEvent, Prisma } from '../generated/prisma/client';
import type { AdminPrisma } from '../db';
import type { ServiceContext } from './context';
import { assertCan, visibleWhere } from './policy';

export interface AuditLogFilter {
  type?: string | null;
  organizationId?: string | null;
  actorId?: string | null;
  from?: Date | string | null;
  to?: Date | string | null;
}

export interface AuditLogArgs {
  filter?: AuditLogFilter | null;
  first?: number | null;
  after?: string | null;
}

export type AuditActorKind = 'USER' | 'SERVICE' | 'SYSTEM';

export interface AuditActorView {
  kind: AuditActorKind;
  id: string | null;
}

const EVENT_TYPE = /^[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?$/i;
const SERVICE_ACTOR = /^service:[a-z0-9_-]{1,60}$/;

/** The audit log: every domain event admin recorded, newest first. */
export class AuditService {
  constructor(private readonly prisma: AdminPrisma) {}

  async list(ctx: ServiceContext, args: AuditLogArgs): Promise<Connection<AuditEvent>> {
    const viewer = requireViewer(ctx.viewer);
    assertCan.readAuditLog(viewer);
    const size = pageSize(args.first);
    const after = decodeCursor(args.after);
    if (after && !isUuid(after.id))
      throw errors.badUserInput('after', 'after is not a cursor this list produced.');
    // A filter only narrows what the viewer may see: another organization's id gives an empty page.
    const where: Prisma.AuditEventWhereInput = {
      AND: [visibleWhere(viewer), ...filterWhere(args.filter ?? {})],
    };
    const keyset: Prisma.AuditEventWhereInput = after
      ? {
          OR: [
            { occurredAt: { lt: new Date(after.at) } },
            { occurredAt: new Date(after.at), id: { lt: after.id.toLowerCase() } },
          ],
        }
      : {};
    const [rows, totalCount] = await Promise.all([
      this.prisma.auditEvent.findMany({
        where: { AND: [where, keyset] },
        orderBy: [{ occurredAt: 'desc' }, { id: 'desc' }],
        take: size + 1,
      }),
      this.prisma.auditEvent.count({ where }),
    ]);
    return toConnection(
      rows,
      size,
      totalCount,
      (row) => ({ at: row.occurredAt.toISOString(), id: row.id }),
      !!after,
    );
  }
}

/** Who made an event: a user id, `service:<name>`, or nobody (the system). */
export function actorOf(event: Pick<AuditEvent, 'actor'>): AuditActorView {
  if (event.actor === null) return { kind: 'SYSTEM', id: null };
  if (event.actor.startsWith('service:')) return { kind: 'SERVICE', id: event.actor };
  return { kind: 'USER', id: event.actor };
}

function filterWhere(filter: AuditLogFilter): Prisma.AuditEventWhereInput[] {
  const where: Prisma.AuditEventWhereInput[] = [];
  if (filter.type != null) {
    const type = filter.type.trim();
    if (type.length > 100 || !EVENT_TYPE.test(type))
      throw errors.badUserInput(
        'filter.type',
        'filter.type must be an event type, e.g. order.placed, or a prefix, e.g. order.*.',
      );
    where.push(type.endsWith('.*') ? { type: { startsWith: type.slice(0, -1) } } : { type });
  }
  if (filter.organizationId != null)
    where.push({ organizationIds: { has: requireUuid(filter.organizationId, 'filter.organizationId') } });
  if (filter.actorId != null) {
    const actor = filter.actorId.trim();
    if (isUuid(actor)) where.push({ actor: actor.toLowerCase() });
    else if (SERVICE_ACTOR.test(actor)) where.push({ actor });
    else throw errors.badUserInput('filter.actorId', 'filter.actorId must be a user id or service:<name>.');
  }
  const from = filter.from == null ? null : new Date(filter.from);
  const to = filter.to == null ? null : new Date(filter.to);
  if (from && to && from > to)
    throw errors.badUserInput('filter.to', 'filter.to must not be before filter.from.');
  if (from) where.push({ occurredAt: { gte: from } });
  if (to) where.push({ occurredAt: { lt: to } });
  return where;
}
