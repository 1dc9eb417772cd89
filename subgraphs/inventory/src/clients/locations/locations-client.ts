import { GraphQLError } from 'graphql';
import { ErrorCode } from '@flow/core';
import { type CallContext, type SubgraphClient } from '@flow/subgraph-kit';
import { InventoryDepotOwnerDocument } from '../../generated/clients/locations';
import type { SiteLookup, SiteSummary } from '../../services/depot-directory';

/** Codes from locations that mean "no such site for this caller", not "locations is broken". */
const NOT_A_SITE = new Set<string>([ErrorCode.NOT_FOUND, ErrorCode.BAD_USER_INPUT, ErrorCode.FORBIDDEN]);

/** locations, as inventory asks who owns a depot. */
export class RemoteSiteLookup implements SiteLookup {
  constructor(private readonly locations: SubgraphClient) {}

  async findSite(ctx: CallContext, id: string): Promise<SiteSummary | null> {
    try {
      const data = await this.locations.idempotent(ctx, InventoryDepotOwnerDocument, { id });
      return data.site;
    } catch (error) {
      const code = error instanceof GraphQLError ? error.extensions.code : undefined;
      if (typeof code === 'string' && NOT_A_SITE.has(code)) return null;
      throw error;
    }
  }
}
