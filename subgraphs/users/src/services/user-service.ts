import {
  decodeCursor,
  errors,
  isUuid,
  pageSize,
  requireEmail,
  requireOneOf,
  requireText,
  requireViewer,
  rolesByOrganizationKind,
  toConnection,
  type Connection,
  type Viewer,
} from '@flow/core';
import { type BaseContext, isUniqueViolation } from '@flow/subgraph-kit';
import type { User } from '../generated/prisma/client';
import type { UsersPrisma } from '../db';
import type { Loaders } from '../loaders';
import { requirePassword } from './auth-service';
import { assertCan, canSee } from './policy';
import type { PasswordHasher } from './passwords';

export interface InviteUserInput {
  email: string;
  name: string;
  role: string;
  password: string;
}

type UsersContext = BaseContext & { loaders: Loaders; signedInUserIds: Set<string> };

export class UserService {
  constructor(
    private readonly prisma: UsersPrisma,
    private readonly passwords: PasswordHasher,
  ) {}

  async me(ctx: UsersContext): Promise<User | null> {
    if (!ctx.viewer) return null;
    return ctx.loaders.userById.load(ctx.viewer.userId);
  }

  /** Same organization, platform admin, or the user this request just signed in. */
  canSeePrivateFields(ctx: UsersContext, user: User): boolean {
    return ctx.signedInUserIds.has(user.id) || canSee(ctx.viewer, user);
  }

  email(ctx: UsersContext, user: User): string {
    if (!this.canSeePrivateFields(ctx, user))
      throw errors.forbidden('Only the user’s own organization can see their email.');
    return user.email;
  }

  async invite(ctx: UsersContext, input: InviteUserInput): Promise<User> {
    const viewer = requireViewer(ctx.viewer);
    assertCan.inviteUsers(viewer);
    const organization = await ctx.loaders.organizationById.load(viewer.organizationId);
    if (!organization) throw errors.forbidden();
    if (organization.status === 'SUSPENDED') throw errors.forbidden('Your organization is suspended.');
    const role = requireOneOf(input.role, rolesByOrganizationKind[organization.kind], 'input.role');
    const email = requireEmail(input.email, 'input.email');
    const name = requireText(input.name, 'input.name', { max: 200 });
    const passwordHash = await this.passwords.hash(requirePassword(input.password, 'input.password'));
    try {
      const user = await this.prisma.user.create({
        data: { organizationId: organization.id, email, name, role, passwordHash },
      });
      ctx.logger.info({ userId: user.id, role, by: viewer.userId }, 'user invited');
      return user;
    } catch (error) {
      if (isUniqueViolation(error))
        throw errors.conflict('An account with this email already exists.', { field: 'input.email' });
      throw error;
    }
  }

  async listOfOrganization(
    ctx: UsersContext,
    organizationId: string,
    input: { first?: number | null; after?: string | null },
  ): Promise<Connection<User>> {
    const viewer: Viewer = requireViewer(ctx.viewer);
    assertCan.listUsers(viewer, organizationId);
    const size = pageSize(input.first);
    const after = decodeCursor(input.after);
    if (after && !isUuid(after.id))
      throw errors.badUserInput('after', 'after is not a cursor this list produced.');
    const cursorOf = (user: User) => ({ at: user.createdAt.toISOString(), id: user.id });
    if (!isUuid(organizationId)) return toConnection([], size, 0, cursorOf, after !== null);
    // Through a loader: nested selections (organization → users → organization → users ...) and
    // lists of organizations cost the same few statements as one organization.
    const page = await ctx.loaders.userPage.load({ organizationId, size, after });
    for (const user of page.rows) ctx.loaders.userById.prime(user.id, user);
    return toConnection(page.rows, size, page.totalCount, cursorOf, after !== null);
  }
}
