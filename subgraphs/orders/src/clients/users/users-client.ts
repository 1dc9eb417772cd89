import { entitiesOf } from '@flow/core';
import { type CallContext, type SubgraphClient } from '@flow/subgraph-kit';
import { OrdersOrganizationNamesDocument, OrdersUserDocument } from '../../generated/clients/users';
import type { PartyDirectory, UserDirectory, UserSummary } from '../../services/dependencies';

/** users, as orders looks up another user (a driver to assign) or names an order's organizations. */
export class UsersClient implements UserDirectory, Pick<PartyDirectory, 'organizationNames'> {
  constructor(private readonly users: SubgraphClient) {}

  async user(ctx: CallContext, id: string): Promise<UserSummary | null> {
    const data = await this.users.idempotent(ctx, OrdersUserDocument, {
      representations: [{ __typename: 'User', id }],
    });
    const [found] = entitiesOf('User', data._entities);
    return found ? { id: found.id, role: found.role, organizationId: found.organization.id } : null;
  }

  async organizationNames(ctx: CallContext, ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const data = await this.users.idempotent(ctx, OrdersOrganizationNamesDocument, {
      representations: ids.map((id) => ({ __typename: 'Organization', id })),
    });
    return new Map(entitiesOf('Organization', data._entities).map((o) => [o.id, o.name]));
  }
}
