// Live connections outlast the check made when they opened: when an organization is suspended (or
// a partner's client application revoked), its WebSockets are closed (4403) and its SSE streams
// ended, within one reload of the list.
import type { SuspendedOrganizations, Viewer } from '@flow/core';

/** graphql-ws's Forbidden: the client must not reconnect with the same token. */
export const SUSPENDED_CLOSE_CODE = 4403;
export const SUSPENDED_CLOSE_REASON = 'Organization suspended';
export const REVOKED_CLOSE_REASON = 'Client application revoked';
export const SECRET_ENDED_CLOSE_REASON = 'Client secret ended';

/** Why a tracked connection is ended. */
export type EndReason = 'suspended' | 'revoked' | 'secretEnded';

const CLOSE_REASONS: Record<EndReason, string> = {
  suspended: SUSPENDED_CLOSE_REASON,
  revoked: REVOKED_CLOSE_REASON,
  secretEnded: SECRET_ENDED_CLOSE_REASON,
};

export const closeReasonOf = (reason: EndReason) => CLOSE_REASONS[reason];

/** The end reason of a suspension check's refusal (its `extensions.reason`). */
export const endReasonOf = (refusalReason: unknown): EndReason =>
  refusalReason === 'CLIENT_APPLICATION_REVOKED'
    ? 'revoked'
    : refusalReason === 'CLIENT_SECRET_ENDED'
      ? 'secretEnded'
      : 'suspended';

interface Tracked {
  end: (reason: EndReason) => void;
  reason: EndReason;
}

export class SuspendedConnections {
  /** By organization id, and by client application and secret id for partners (all UUIDs). */
  private readonly byId = new Map<string, Set<Tracked>>();

  constructor(readonly suspensions: SuspendedOrganizations) {
    suspensions.onSuspended((id) => {
      const tracked = this.byId.get(id);
      this.byId.delete(id);
      for (const entry of tracked ?? []) entry.end(entry.reason);
    });
  }

  /**
   * Calls `end` if the viewer's organization is suspended later (or, for a partner, its client
   * application revoked or its secret ended); the result forgets it.
   */
  track(viewer: Viewer | null, end: (reason: EndReason) => void): () => void {
    if (!viewer) return () => {};
    const entries: [string, Tracked][] = [[viewer.organizationId, { end, reason: 'suspended' }]];
    const client = viewer.clientApplication;
    if (client) entries.push([client.id, { end, reason: 'revoked' }]);
    if (client?.secretId) entries.push([client.secretId, { end, reason: 'secretEnded' }]);
    for (const [id, entry] of entries) {
      let tracked = this.byId.get(id);
      if (!tracked) this.byId.set(id, (tracked = new Set()));
      tracked.add(entry);
    }
    return () => {
      for (const [id, entry] of entries) {
        const current = this.byId.get(id);
        current?.delete(entry);
        if (current?.size === 0) this.byId.delete(id);
      }
    };
  }

  get size(): number {
    // A partner's connection is kept under several ids: counted once.
    const all = new Set<(reason: EndReason) => void>();
    for (const tracked of this.byId.values()) for (const entry of tracked) all.add(entry.end);
    return all.size;
  }
}
