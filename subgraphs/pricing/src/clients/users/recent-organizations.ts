import { BoundedCache } from '@flow/core';
import type { CallContext } from '@flow/subgraph-kit';
import type { OrganizationSummary, PricingDependencies } from '../../services/dependencies';

/** The most organizations remembered (a vendor's status is a few dozen bytes). */
const MAX_ORGANIZATIONS = 10_000;

/**
 * Every comparison asks users which of the priced vendors are approved and active. Their answers
 * are reused for `maxAgeMs` (at most a second: a suspension or an approval shows in offers within
 * that, as it does in the suspension list every subgraph refreshes), so that under load users is
 * asked about a vendor about once a second rather than once per comparison. Only vendors not seen
 * recently are asked, still in one call; an organization users does not know is remembered too.
 * The vendor's name comes with its status, and the offers show it (Offer.vendor provides it), so
 * a renamed vendor shows under its new name within the same bound. Every signed-in viewer may see
 * these three fields of any organization in users, so one answer serves every viewer.
 */
export class RecentOrganizations {
  private readonly cache: BoundedCache<string, OrganizationSummary | null>;

  constructor(
    private readonly ask: PricingDependencies['organizations'],
    private readonly maxAgeMs: number,
  ) {
    this.cache = new BoundedCache(maxAgeMs > 0 ? MAX_ORGANIZATIONS : 0);
  }

  organizations: PricingDependencies['organizations'] = async (ctx: CallContext, ids: string[]) => {
    const now = Date.now();
    const found = new Map<string, OrganizationSummary>();
    const unknown: string[] = [];
    for (const id of new Set(ids)) {
      const cached = this.cache.get(id, now);
      if (cached === undefined) unknown.push(id);
      else if (cached) found.set(id, cached);
    }
    if (unknown.length === 0) return found;
    const fresh = await this.ask(ctx, unknown);
    // From when it was asked: an answer that took long is no fresher than its question.
    const until = now + this.maxAgeMs;
    for (const id of unknown) {
      const organization = fresh.get(id);
      this.cache.set(id, organization ?? null, until);
      if (organization) found.set(id, organization);
    }
    return found;
  };
}
