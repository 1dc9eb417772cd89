import { entitiesOf } from '@flow/core';
import { type CallContext, type SubgraphClient } from '@flow/subgraph-kit';
import { PricingOrganizationsDocument } from '../../generated/clients/users';
import type { OrganizationSummary, PricingDependencies } from '../../services/dependencies';

/** users, as pricing asks which vendors exist and may sell. */
export class UsersClient implements Pick<PricingDependencies, 'organizations'> {
  constructor(private readonly users: SubgraphClient) {}

  async organizations(ctx: CallContext, ids: string[]): Promise<Map<string, OrganizationSummary>> {
    if (ids.length === 0) return new Map();
    const data = await this.users.idempotent(ctx, PricingOrganizationsDocument, {
      representations: ids.map((id) => ({ __typename: 'Organization', id })),
    });
    const found = entitiesOf('Organization', data._entities);
    return new Map(found.map((o) => [o.id, o]));
  }
}
