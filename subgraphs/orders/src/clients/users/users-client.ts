import { entitiesOf } from '@flow/core';
import { type CallContext, type SubgraphClient } from '@flow/subgraph-kit';
import { OrdersUserDocument } from '../../generated/clients/users';
import type { UserDirectory, UserSummary } from '../../services/dependencies';

/** users, as orders looks up another user (a driver to assign). */
export class UsersClient implements UserDirectory {
  constructor(private readonly users: SubgraphClient) {}

  async user(ctx: CallContext, id: string): Promise<UserSummary | null> {
    const data = await this.users.idempotent(ctx, OrdersUserDocument, {
      representations: [{ __typename: 'User', id }],
    });
    const [found] = entitiesOf('User', data._entities);
    return found ? { id: found.id, role: found.role, organizationId: found.organization.id } : null;
  }
}
