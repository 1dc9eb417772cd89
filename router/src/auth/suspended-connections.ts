// Live connections outlast the check made when they opened: when an organization is suspended,
// its WebSockets are closed (4403) and its SSE streams ended, within one reload of the list.
import type { SuspendedOrganizations, Viewer } from '@flow/platform';

/** graphql-ws's Forbidden: the client must not reconnect with the same token. */
export const SUSPENDED_CLOSE_CODE = 4403;
export const SUSPENDED_CLOSE_REASON = 'Organization suspended';

export class SuspendedConnections {
  private readonly byOrganization = new Map<string, Set<() => void>>();

  constructor(readonly suspensions: SuspendedOrganizations) {
    suspensions.onSuspended((organizationId) => {
      const ends = this.byOrganization.get(organizationId);
      this.byOrganization.delete(organizationId);
      for (const end of ends ?? []) end();
    });
  }

  /** Calls `end` if the viewer's organization is suspended later; the result forgets it. */
  track(viewer: Viewer | null, end: () => void): () => void {
    if (!viewer) return () => {};
    const id = viewer.organizationId;
    let ends = this.byOrganization.get(id);
    if (!ends) this.byOrganization.set(id, (ends = new Set()));
    ends.add(end);
    return () => {
      const current = this.byOrganization.get(id);
      current?.delete(end);
      if (current?.size === 0) this.byOrganization.delete(id);
    };
  }

  get size(): number {
    let count = 0;
    for (const ends of this.byOrganization.values()) count += ends.size;
    return count;
  }
}
