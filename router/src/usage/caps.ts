// Caps on live connections, per router process: subscriptions per socket and per user (sockets
// and SSE together), sockets per user, SSE streams per user, anonymous sockets per address.
//
// Bookkeeping that cannot leak: every count is held by a Lease, released once (idempotent), and
// every lease belongs to a UsageScope (one socket, or one SSE request) that releases whatever is
// left when its connection closes, whichever path closes it. A subscription's lease is also
// released as soon as its stream ends (see releaseWhenDone).
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { addressKey, ErrorCode, RouterErrorCode, type Viewer } from '@flow/core';

export interface CapLimits {
  subscriptionsPerSocket: number;
  subscriptionsPerUser: number;
  /** Distinct subscription documents per user (each is resolved apart on every event). */
  documentsPerUser: number;
  socketsPerUser: number;
  streamsPerUser: number;
  anonymousSocketsPerAddress: number;
}

export type CapName =
  | 'subscriptions_per_socket'
  | 'subscriptions_per_user'
  | 'subscription_documents_per_user'
  | 'sockets_per_user'
  | 'streams_per_user'
  | 'anonymous_sockets_per_address';

/** WebSocket close code for a socket over the per-user or per-address socket cap. */
export const TOO_MANY_SOCKETS_CLOSE_CODE = 4430;

const CapErrorCode = {
  TOO_MANY_SUBSCRIPTIONS: RouterErrorCode.TOO_MANY_SUBSCRIPTIONS,
  TOO_MANY_STREAMS: RouterErrorCode.TOO_MANY_STREAMS,
} as const;

export interface Lease {
  release(): void;
}

const noLease: Lease = { release: () => {} };

function lease(onRelease: () => void): Lease {
  let held = true;
  return {
    release: () => {
      if (!held) return;
      held = false;
      onRelease();
    },
  };
}

/** Counts per key, never above the cap; a key at 0 is forgotten. */
class Tally {
  private readonly counts = new Map<string, number>();
  total = 0;

  acquire(key: string, max: number): Lease | null {
    const count = this.counts.get(key) ?? 0;
    if (count >= max) return null;
    this.counts.set(key, count + 1);
    this.total += 1;
    return lease(() => {
      const now = (this.counts.get(key) ?? 1) - 1;
      if (now <= 0) this.counts.delete(key);
      else this.counts.set(key, now);
      this.total -= 1;
    });
  }
}

/**
 * Distinct documents per user, each counted by how many live subscriptions use it: another
 * subscription of a document the user already has live is always admitted (it joins the same
 * resolution), a new document only below the cap.
 */
class DocumentTally {
  private readonly byUser = new Map<string, Map<string, number>>();

  acquire(userId: string, documentKey: string, max: number): Lease | null {
    const documents = this.byUser.get(userId) ?? new Map<string, number>();
    const count = documents.get(documentKey) ?? 0;
    if (count === 0 && documents.size >= max) return null;
    documents.set(documentKey, count + 1);
    this.byUser.set(userId, documents);
    return lease(() => {
      const now = (documents.get(documentKey) ?? 1) - 1;
      if (now > 0) documents.set(documentKey, now);
      else documents.delete(documentKey);
      if (documents.size === 0 && this.byUser.get(userId) === documents) this.byUser.delete(userId);
    });
  }

  /** Users with at least one live subscription document. */
  get users(): number {
    return this.byUser.size;
  }
}

export function capError(cap: CapName, limit: number): GraphQLError {
  const stream = cap === 'streams_per_user';
  const what = {
    subscriptions_per_socket: 'subscriptions on this connection',
    subscriptions_per_user: 'live subscriptions for your account',
    subscription_documents_per_user: 'different subscription documents live for your account',
    streams_per_user: 'event streams open for your account',
    sockets_per_user: 'connections for your account',
    anonymous_sockets_per_address: 'anonymous connections from your address',
  }[cap];
  return new GraphQLError(`Too many ${what} (at most ${limit}). Close one first.`, {
    extensions: {
      code: stream ? CapErrorCode.TOO_MANY_STREAMS : CapErrorCode.TOO_MANY_SUBSCRIPTIONS,
      cap,
      limit,
      http: { status: 429 },
    },
  });
}

/** The connections of one socket or one SSE request. */
export class UsageScope {
  private readonly leases = new Set<Lease>();
  private closed = false;
  private subscriptions = 0;

  constructor(
    private readonly caps: UsageCaps,
    private readonly kind: 'socket' | 'stream',
    owner: Lease | null,
  ) {
    if (owner) this.leases.add(owner);
  }

  /**
   * Counts one more subscription for the user (of the document whose hash is `documentKey`);
   * throws TOO_MANY_SUBSCRIPTIONS/TOO_MANY_STREAMS.
   */
  admitSubscription(userId: string, documentKey: string): Lease {
    if (this.closed) return noLease;
    const limits = this.caps.limits;
    const taken: Lease[] = [];
    const refuse = (cap: CapName, limit: number): never => {
      for (const held of taken) held.release();
      this.caps.refused(cap);
      throw capError(cap, limit);
    };
    if (this.kind === 'socket' && this.subscriptions >= limits.subscriptionsPerSocket) {
      refuse('subscriptions_per_socket', limits.subscriptionsPerSocket);
    }
    if (this.kind === 'stream') {
      taken.push(
        this.caps.streams.acquire(userId, limits.streamsPerUser) ??
          refuse('streams_per_user', limits.streamsPerUser),
      );
    }
    taken.push(
      this.caps.subscriptions.acquire(userId, limits.subscriptionsPerUser) ??
        refuse('subscriptions_per_user', limits.subscriptionsPerUser),
    );
    taken.push(
      this.caps.documents.acquire(userId, documentKey, limits.documentsPerUser) ??
        refuse('subscription_documents_per_user', limits.documentsPerUser),
    );
    this.subscriptions += 1;
    const held: Lease = lease(() => {
      this.subscriptions -= 1;
      this.leases.delete(held);
      for (const each of taken) each.release();
    });
    this.leases.add(held);
    return held;
  }

  /** Releases everything still held; later admissions get a no-op lease. Idempotent. */
  close(): void {
    this.closed = true;
    for (const held of [...this.leases]) held.release();
    this.leases.clear();
  }
}

export class UsageCaps {
  readonly sockets = new Tally();
  readonly anonymousSockets = new Tally();
  readonly streams = new Tally();
  readonly subscriptions = new Tally();
  readonly documents = new DocumentTally();

  constructor(
    readonly limits: CapLimits,
    private readonly onRefused: (cap: CapName) => void = () => {},
  ) {}

  refused(cap: CapName): void {
    this.onRefused(cap);
  }

  /**
   * The scope of a socket that has sent connection_init: counted per user, or per address when
   * anonymous. Null when over the cap (close it with TOO_MANY_SOCKETS_CLOSE_CODE).
   */
  openSocket(viewer: Viewer | null, clientAddress: string | null): UsageScope | null {
    const held = viewer
      ? this.sockets.acquire(viewer.userId, this.limits.socketsPerUser)
      : this.anonymousSockets.acquire(addressKey(clientAddress), this.limits.anonymousSocketsPerAddress);
    if (!held) {
      this.refused(viewer ? 'sockets_per_user' : 'anonymous_sockets_per_address');
      return null;
    }
    return new UsageScope(this, 'socket', held);
  }

  /** The scope of one SSE request (a subscription in it counts as a stream of its user). */
  openStream(): UsageScope {
    return new UsageScope(this, 'stream', null);
  }
}

/** Closes the scope when the socket or response closes (at once if it already has). */
export function closeScopeWith(
  connection: {
    once(event: 'close', listener: () => void): unknown;
    readonly closed?: boolean;
    readonly readyState?: number;
  },
  scope: UsageScope,
): void {
  const alreadyClosed = connection.closed === true || connection.readyState === 3; // ws CLOSED
  if (alreadyClosed) scope.close();
  else connection.once('close', () => scope.close());
}

/** The iterator, releasing the lease when it ends, fails or is stopped. */
export function releaseWhenDone<T>(
  iterator: AsyncIterableIterator<T>,
  held: Lease,
): AsyncIterableIterator<T> {
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    next: async () => {
      try {
        const result = await iterator.next();
        if (result.done) held.release();
        return result;
      } catch (error) {
        held.release();
        throw error;
      }
    },
    return: async (value?: unknown) => {
      held.release();
      return (await iterator.return?.(value)) ?? { value: undefined, done: true };
    },
    throw: async (error?: unknown) => {
      held.release();
      if (iterator.throw) return iterator.throw(error);
      throw error;
    },
  };
}

/** The HTTP status and headers for refusals an SSE request answers before its stream starts. */
export function httpRefusal(
  errors: readonly GraphQLFormattedError[],
): { status: number; headers: Record<string, string> } | null {
  for (const error of errors) {
    const code = error.extensions?.code;
    if (
      code === ErrorCode.RATE_LIMITED ||
      code === CapErrorCode.TOO_MANY_SUBSCRIPTIONS ||
      code === CapErrorCode.TOO_MANY_STREAMS
    ) {
      const retryAfter = error.extensions?.retryAfterSeconds;
      return {
        status: 429,
        headers: typeof retryAfter === 'number' ? { 'retry-after': String(retryAfter) } : {},
      };
    }
  }
  return null;
}
