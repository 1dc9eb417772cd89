import {
  pageByCreatedAt,
  errors,
  requireOneOf,
  requireText,
  requireUuid,
  requireViewer,
  type Connection,
  type Viewer,
} from '@flow/core';
import { type BaseContext } from '@flow/subgraph-kit';
import type { Organization, OrganizationKind, OrganizationStatus } from '../generated/prisma/client';
import type { UsersPrisma } from '../db';
import type { Loaders } from '../loaders';
import type { AuthService } from './auth-service';
import { recordOrganizationEvent, type OrganizationEventType } from './organization-events';
import { assertCan } from './policy';

export interface ListOrganizationsInput {
  kind?: string | null;
  status?: string | null;
  first?: number | null;
  after?: string | null;
}

const KINDS: readonly OrganizationKind[] = ['HOSPITAL', 'VENDOR', 'PLATFORM'];
const STATUSES: readonly OrganizationStatus[] = ['ACTIVE', 'PENDING_APPROVAL', 'SUSPENDED'];

/** Status transitions; anything not listed is a CONFLICT (so approving twice writes one event). */
const transitions: Record<'approve' | 'suspend', readonly OrganizationStatus[]> = {
  approve: ['PENDING_APPROVAL', 'SUSPENDED'],
  suspend: ['ACTIVE', 'PENDING_APPROVAL'],
};

const eventOf: Record<keyof typeof transitions, OrganizationEventType> = {
  approve: 'organization.approved',
  suspend: 'organization.suspended',
};

export class OrganizationService {
  constructor(
    private readonly prisma: UsersPrisma,
    private readonly auth: AuthService,
    /** Called after a transaction that wrote outbox rows committed (app.ts reloads the suspension list). */
    private readonly eventsWritten: () => void = () => {},
  ) {}

  async byId(ctx: BaseContext & { loaders: Loaders }, rawId: string): Promise<Organization | null> {
    requireViewer(ctx.viewer);
    const id = requireUuid(rawId, 'id');
    return ctx.loaders.organizationById.load(id);
  }

  async list(ctx: BaseContext, input: ListOrganizationsInput): Promise<Connection<Organization>> {
    this.requirePlatformAdmin(ctx);
    const where = {
      ...(input.kind ? { kind: requireOneOf(input.kind, KINDS, 'kind') } : {}),
      ...(input.status ? { status: requireOneOf(input.status, STATUSES, 'status') } : {}),
    };
    return pageByCreatedAt(
      input,
      'desc',
      (page) => this.prisma.organization.findMany({ ...page, where: { ...where, ...page.where } }),
      () => this.prisma.organization.count({ where }),
    );
  }

  async approve(ctx: BaseContext, rawId: string): Promise<Organization> {
    this.requirePlatformAdmin(ctx);
    const organization = await this.transition(ctx, requireUuid(rawId, 'id'), 'approve', {
      status: 'ACTIVE',
      suspendedReason: null,
    });
    ctx.logger.info({ organizationId: organization.id, by: ctx.viewer?.userId }, 'organization approved');
    return organization;
  }

  async suspend(ctx: BaseContext, rawId: string, rawReason: string): Promise<Organization> {
    const admin = this.requirePlatformAdmin(ctx);
    const id = requireUuid(rawId, 'id');
    const reason = requireText(rawReason, 'reason', { max: 500 });
    if (id === admin.organizationId) throw errors.conflict('The platform organization cannot be suspended.');
    const organization = await this.transition(ctx, id, 'suspend', {
      status: 'SUSPENDED',
      suspendedReason: reason,
    });
    const revoked = await this.auth.revokeSessionsOfOrganization(id, 'organization_suspended');
    ctx.logger.info(
      { organizationId: id, by: admin.userId, revokedSessions: revoked },
      'organization suspended',
    );
    return organization;
  }

  /**
   * Compare-and-set on the status, so two admins acting at once cannot both "win"; the event is
   * written in the same transaction, so only the winner writes one.
   */
  private async transition(
    ctx: BaseContext,
    id: string,
    action: keyof typeof transitions,
    data: { status: OrganizationStatus; suspendedReason: string | null },
  ): Promise<Organization> {
    const current = await this.prisma.organization.findUnique({ where: { id } });
    if (!current) throw errors.notFound('Organization', id);
    if (current.kind === 'PLATFORM') throw errors.conflict('The platform organization cannot change status.');
    if (!transitions[action].includes(current.status)) {
      throw errors.conflict(`Cannot ${action} an organization that is ${current.status}.`, {
        status: current.status,
      });
    }
    const organization = await this.prisma.$transaction(async (tx) => {
      const updated = await tx.organization.updateMany({ where: { id, status: current.status }, data });
      if (updated.count !== 1) throw errors.conflict('The organization changed meanwhile; try again.');
      const changed = await tx.organization.findUniqueOrThrow({ where: { id } });
      await recordOrganizationEvent(tx, {
        type: eventOf[action],
        organization: changed,
        actor: ctx.viewer?.userId ?? null,
        previousStatus: current.status,
      });
      return changed;
    });
    this.eventsWritten();
    return organization;
  }

  private requirePlatformAdmin(ctx: BaseContext): Viewer {
    const viewer = requireViewer(ctx.viewer);
    assertCan.administerOrganizations(viewer);
    return viewer;
  }
}
