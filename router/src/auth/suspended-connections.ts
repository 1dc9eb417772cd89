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

  /**
   * Calls `end` if the viewer's organization is suspended later (or, for a partner, its client
   * application revoked); the result forgets it.
   */
  track(viewer: Viewer | null, end: () => void): () => void {
    if (!viewer) return () => {};
    const ids = [viewer.organizationId];
    if (viewer.clientApplication) ids.push(viewer.clientApplication.id);
    for (const id of ids) {
      let ends = this.byOrganization.get(id);
      if (!ends) this.byOrganization.set(id, (ends = new Set()));
      ends.add(end);
    }
    return () => {
      for (const id of ids) {
        const current = this.byOrganization.get(id);
        current?.delete(end);
        if (current?.size === 0) this.byOrganization.delete(id);
      }
    };
  }

  get size(): number {
    // A partner's connection is kept under two ids: counted once.
    const all = new Set<() => void>();
    for (const ends of this.byOrganization.values()) for (const end of ends) all.add(end);
    return all.size;
  }
}
