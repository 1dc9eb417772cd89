// Suspension must end an organization's access within seconds, not when its 15-minute access
// tokens expire. Every process that turns a token into a Viewer keeps the set of suspended
// organizations, reloaded from users (the authority: its organizations table) every
// SUSPENSION_REFRESH_MS, and refuses their tokens before any work. A whole list rather than
// events: a process that starts (or restarts) while an organization is suspended knows it from its
// first load, a reinstatement shows by the id leaving the list, and nothing depends on a broker.
import { createHash, randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { errors, ErrorCode } from '../errors';
import type { Logger } from '../logger';
import { REQUEST_ID_HEADER, SIGNATURE_HEADER, signRequest, TIMESTAMP_HEADER } from './request-signing';
import type { Viewer } from './viewer';

/** Served by users, signed like /events: the path stands for the query. */
export const SUSPENDED_ORGANIZATIONS_PATH = '/organizations/suspended';
export const SUSPENDED_ORGANIZATIONS_SIGNED_OPERATION = {
  query: SUSPENDED_ORGANIZATIONS_PATH,
  operationName: null,
  variables: null,
} as const;
export const DEFAULT_SUSPENSION_REFRESH_MS = 1000;
/**
 * How long users holds a poll whose caller already has the current list: it answers at once when
 * the list changes, else after this. Under the 30 s after which /health/ready calls a list stale.
 */
export const SUSPENSION_LONG_POLL_MS = 20_000;
/** The most users holds a poll, whatever it is asked. */
export const MAX_SUSPENSION_LONG_POLL_MS = 25_000;

/**
 * What users serves: the suspended organizations and, on the same poll, the partner client
 * applications revoked, and the client secrets ended (rotated away, overlap over), recently enough
 * that a token of theirs may still be unexpired.
 */
export interface SuspensionList {
  organizationIds: readonly string[];
  revokedClientApplicationIds: readonly string[];
  /** Absent from an older users: no secret is refused. */
  endedClientSecretIds?: readonly string[];
  /** The list's content hash (suspensionListVersion), as users computed it; absent from an older users. */
  version?: string;
}

/** A poll from a caller that has the list of `version`: held until it changes, or `waitMs`. */
export interface KnownSuspensionList {
  version: string;
  waitMs: number;
}

/** A bare array is a list of organizations only. */
export type SuspendedOrganizationsLoader = (
  known?: KnownSuspensionList,
  signal?: AbortSignal,
) => Promise<readonly string[] | SuspensionList>;

/** The same for the same ids whichever users instance computes it, in whatever order. */
export function suspensionListVersion(list: SuspensionList): string {
  const part = (ids: readonly string[] | undefined) => [...(ids ?? [])].sort().join(',');
  return createHash('sha256')
    .update(
      `${part(list.organizationIds)}|${part(list.revokedClientApplicationIds)}|${part(list.endedClientSecretIds)}`,
    )
    .digest('base64url')
    .slice(0, 22);
}

const asSuspensionList = (loaded: readonly string[] | SuspensionList): SuspensionList =>
  'organizationIds' in loaded ? loaded : { organizationIds: loaded, revokedClientApplicationIds: [] };

export interface SuspendedOrganizationsOptions {
  load: SuspendedOrganizationsLoader;
  logger: Logger;
  /** How often the list is reloaded (SUSPENSION_REFRESH_MS); failures retry at this pace too. */
  refreshMs?: number;
  /**
   * Before the first successful load: true refuses every token with SERVICE_UNAVAILABLE
   * (production: a suspended organization must never slip through a fresh process); false lets
   * tokens pass with a warning (development: a subgraph can run without users).
   */
  failClosed: boolean;
  /**
   * Poll users with the version the process has, each poll held until the list changes or this
   * long (SUSPENSION_LONG_POLL_MS): a change arrives at once, and a quiet list costs a poll per
   * this period instead of one per refreshMs. After a failed poll, or one answered at once with
   * nothing new (a users that does not hold polls), the next one waits refreshMs. Unset: a load
   * every refreshMs.
   */
  longPollMs?: number;
}

export class SuspendedOrganizations {
  private ids = new Set<string>();
  private revokedClients = new Set<string>();
  private endedSecrets = new Set<string>();
  private loadedAt: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private failures = 0;
  private version: string | null = null;
  private running = false;
  /** Ends the pause between polls at stop(). */
  private wakePause: (() => void) | null = null;
  /** Ends the poll in flight at stop(): a held poll must not keep a stopping process alive. */
  private polling: AbortController | null = null;
  private readonly waiters = new Set<() => void>();
  private readonly listeners = new Set<(organizationId: string) => void>();
  private readonly refreshMs: number;
  private readonly firstAttempt: Promise<void>;
  private resolveFirstAttempt!: () => void;

  constructor(private readonly options: SuspendedOrganizationsOptions) {
    this.refreshMs = options.refreshMs ?? DEFAULT_SUSPENSION_REFRESH_MS;
    this.firstAttempt = new Promise((resolve) => (this.resolveFirstAttempt = resolve));
  }

  /** Loads now and then every refreshMs (or by long polls, see longPollMs) until stop(). */
  start(): this {
    if (this.timer || this.running) return this;
    if (this.options.longPollMs) {
      this.running = true;
      void this.pollLoop(this.options.longPollMs);
      return this;
    }
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.refreshMs);
    this.timer.unref();
    return this;
  }

  /** Stops loading, and answers every poll held by changedSince at once (a stopping users must not wait them out). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.running = false;
    this.polling?.abort();
    this.wakePause?.();
    for (const wake of [...this.waiters]) wake();
  }

  /** The loaded list's version (suspensionListVersion); null before the first load. */
  get currentVersion(): string | null {
    return this.version;
  }

  /** Polls held by changedSince right now. */
  get heldPolls(): number {
    return this.waiters.size;
  }

  /**
   * Resolves when the list's version is no longer `version`, after `waitMs`, at stop(), or when
   * `signal` aborts (the caller went away), whichever comes first. At most `maxWaiters` are held:
   * beyond them it resolves at once.
   */
  changedSince(version: string, waitMs: number, maxWaiters = 1000, signal?: AbortSignal): Promise<void> {
    if (this.version !== version || !this.loaded || this.waiters.size >= maxWaiters || signal?.aborted)
      return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', wake);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, Math.max(0, waitMs));
      timer.unref();
      signal?.addEventListener('abort', wake);
      this.waiters.add(wake);
    });
  }

  private async pollLoop(longPollMs: number): Promise<void> {
    while (this.running) {
      const before = this.version;
      const known = before === null ? undefined : { version: before, waitMs: longPollMs };
      const asked = Date.now();
      this.polling = new AbortController();
      const loaded = await this.loadOnce(known, this.polling.signal);
      this.polling = null;
      // A failed poll, or one answered long before its wait with nothing new (a users that does
      // not hold polls, whatever the reason): the next one waits refreshMs, never a busy loop.
      const unheld = this.version === before && Date.now() - asked < longPollMs / 2;
      if (this.running && (!loaded || unheld)) await this.pause(this.refreshMs);
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakePause = null;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      timer.unref();
      this.wakePause = wake;
    });
  }

  /**
   * Waits for the first load attempt (at most timeoutMs): true when the list is loaded. A source
   * that refuses at once (users not running) answers false at once, without waiting out the time.
   */
  async ready(timeoutMs: number): Promise<boolean> {
    if (this.loadedAt !== null) return true;
    let timeout: NodeJS.Timeout | undefined;
    const expired = new Promise<boolean>((resolve) => {
      timeout = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([this.firstAttempt.then(() => this.loadedAt !== null), expired]);
    } finally {
      clearTimeout(timeout);
    }
  }

  get loaded(): boolean {
    return this.loadedAt !== null;
  }

  /** Seconds since the last successful load (Infinity before the first). */
  get ageSeconds(): number {
    return this.loadedAt === null ? Infinity : (Date.now() - this.loadedAt) / 1000;
  }

  /** For /health/ready (degradable): fails before the first load and while the list is stale. */
  async health(): Promise<void> {
    if (this.loadedAt === null) throw new Error('not loaded yet');
    const staleAfter = Math.max(30, (this.refreshMs * 10) / 1000);
    if (this.ageSeconds > staleAfter)
      throw new Error(`not reloaded for ${Math.round(this.ageSeconds)} s: the last list stays in force`);
  }

  list(): string[] {
    return [...this.ids];
  }

  revokedClientApplications(): string[] {
    return [...this.revokedClients];
  }

  endedClientSecrets(): string[] {
    return [...this.endedSecrets];
  }

  has(organizationId: string): boolean {
    return this.ids.has(organizationId);
  }

  /**
   * Called with each organization, each revoked client application and each ended client secret
   * that newly appears in the list (to close its sockets; all are UUIDs, so one listener can key
   * by any).
   */
  onSuspended(listener: (organizationId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Reloads at once (users calls it right after a suspension or reinstatement commits). A failed
   * load keeps the last list: see README "Security".
   */
  refresh(): Promise<void> {
    // A load already running may have read before the change that asks for this one: queue one
    // more after it (shared by every call meanwhile).
    if (this.inFlight) {
      this.queued ??= this.inFlight.then(() => {
        this.queued = null;
        return this.refresh();
      });
      return this.queued;
    }
    this.inFlight = this.loadOnce()
      .then(() => undefined)
      .finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  /** Throws FORBIDDEN for a suspended organization's viewer; SERVICE_UNAVAILABLE before the first load when failing closed. */
  check(viewer: Viewer | null): void {
    if (!viewer) return;
    if (this.ids.has(viewer.organizationId)) throw errors.organizationSuspended();
    if (viewer.clientApplication && this.revokedClients.has(viewer.clientApplication.id))
      throw errors.clientApplicationRevoked();
    const secretId = viewer.clientApplication?.secretId;
    if (secretId && this.endedSecrets.has(secretId)) throw errors.clientSecretEnded();
    if (this.loadedAt === null && this.options.failClosed) {
      throw new GraphQLError('Sign-in cannot be checked right now. Try again shortly.', {
        extensions: { code: ErrorCode.SERVICE_UNAVAILABLE, http: { status: 503 } },
      });
    }
  }

  /** True when the list was loaded (false: the load failed, or stop() ended it). */
  private async loadOnce(known?: KnownSuspensionList, signal?: AbortSignal): Promise<boolean> {
    try {
      const loaded = asSuspensionList(await this.options.load(known, signal));
      if (signal?.aborted) return false;
      const next = new Set(loaded.organizationIds);
      const nextRevoked = new Set(loaded.revokedClientApplicationIds);
      const nextEnded = new Set(loaded.endedClientSecretIds ?? []);
      const added = [...next].filter((id) => !this.ids.has(id));
      const removed = [...this.ids].filter((id) => !next.has(id));
      const revoked = [...nextRevoked].filter((id) => !this.revokedClients.has(id));
      const ended = [...nextEnded].filter((id) => !this.endedSecrets.has(id));
      this.ids = next;
      this.revokedClients = nextRevoked;
      this.endedSecrets = nextEnded;
      const version = suspensionListVersion(loaded);
      const changed = version !== this.version;
      this.version = version;
      const first = this.loadedAt === null;
      this.loadedAt = Date.now();
      if (this.failures > 0)
        this.options.logger.info({ failures: this.failures }, 'suspension list reachable again');
      this.failures = 0;
      if (added.length || removed.length)
        this.options.logger.info({ suspended: added, reinstated: removed }, 'suspension list changed');
      if (first) this.resolveFirstAttempt();
      if (revoked.length)
        this.options.logger.info({ revokedClientApplications: revoked }, 'client applications revoked');
      if (ended.length) this.options.logger.info({ endedClientSecrets: ended }, 'client secrets ended');
      for (const id of [...added, ...revoked, ...ended]) {
        for (const listener of this.listeners) {
          try {
            listener(id);
          } catch (error) {
            this.options.logger.error({ err: error, organizationId: id }, 'suspension listener failed');
          }
        }
      }
      if (changed) for (const wake of [...this.waiters]) wake();
      return true;
    } catch (error) {
      if (signal?.aborted) return false; // stopped: not a failure of users
      this.failures += 1;
      this.resolveFirstAttempt();
      // Every failure while unloaded, then once in a while: an outage must not flood the log.
      if (this.loadedAt === null || this.failures === 1 || this.failures % 30 === 0) {
        this.options.logger.warn(
          { err: error, failures: this.failures, loaded: this.loadedAt !== null },
          this.loadedAt === null
            ? `suspension list not loaded yet: tokens are ${this.options.failClosed ? 'refused' : 'accepted'} until it is`
            : 'could not reload the suspension list: the last one stays in force',
        );
      }
      return false;
    }
  }
}

/**
 * What users serves: its own copy of the list (no statement per poll), with its version. A poll
 * that has the current version waits for the next change (the copy's reloads compare versions),
 * its wait, users stopping, or its caller going away (`signal`); at most `maxHeld` wait at once,
 * the others are answered at once.
 */
export function servedSuspensionList(
  suspensions: SuspendedOrganizations,
  maxHeld = 1000,
): SuspendedOrganizationsLoader {
  return async (known, signal) => {
    if (!suspensions.loaded) throw new Error('the suspension list is not loaded yet');
    if (known) await suspensions.changedSince(known.version, known.waitMs, maxHeld, signal);
    return {
      organizationIds: suspensions.list(),
      revokedClientApplicationIds: suspensions.revokedClientApplications(),
      endedClientSecretIds: suspensions.endedClientSecrets(),
      version: suspensions.currentVersion ?? undefined,
    };
  };
}

/** The signed GET another process sends to users for the list. */
export function remoteSuspendedOrganizations(options: {
  usersUrl: string;
  secret: string;
  timeoutMs: number;
}): SuspendedOrganizationsLoader {
  const origin = new URL(options.usersUrl).origin;
  return async (known, stopped) => {
    // The query string is not signed: it can only make users answer sooner or later.
    const url = known
      ? `${origin}${SUSPENDED_ORGANIZATIONS_PATH}?version=${encodeURIComponent(known.version)}&waitMs=${known.waitMs}`
      : `${origin}${SUSPENDED_ORGANIZATIONS_PATH}`;
    const timestamp = String(Math.floor(Date.now() / 1000));
    const requestId = randomUUID();
    const response = await fetch(url, {
      headers: {
        [REQUEST_ID_HEADER]: requestId,
        [TIMESTAMP_HEADER]: timestamp,
        [SIGNATURE_HEADER]: signRequest(options.secret, {
          timestamp,
          requestId,
          authorization: '',
          clientAddress: '',
          ...SUSPENDED_ORGANIZATIONS_SIGNED_OPERATION,
        }),
      },
      // A held poll answers within its wait: the timeout covers users' answer after it.
      signal: AbortSignal.any([
        AbortSignal.timeout(options.timeoutMs + (known?.waitMs ?? 0)),
        ...(stopped ? [stopped] : []),
      ]),
      redirect: 'error',
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new Error(`users answered ${response.status} for the suspension list`);
    }
    return parseSuspensionList(await response.json());
  };
}

/** users' JSON answer, checked: a malformed list throws (the last good one stays in force). */
export function parseSuspensionList(body: unknown): SuspensionList {
  const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const revoked = fields.revokedClientApplicationIds ?? [];
  const ended = fields.endedClientSecretIds ?? [];
  const version = fields.version;
  if (
    !isStringArray(fields.organizationIds) ||
    !isStringArray(revoked) ||
    !isStringArray(ended) ||
    (version !== undefined && typeof version !== 'string')
  )
    throw new Error('users sent a malformed suspension list');
  return {
    organizationIds: fields.organizationIds,
    revokedClientApplicationIds: revoked,
    endedClientSecretIds: ended,
    ...(version === undefined ? {} : { version }),
  };
}

const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((id) => typeof id === 'string');

/** A subgraph's list, loaded from users with the router's secret. */
export function subgraphSuspendedOrganizations(
  config: {
    production: boolean;
    routerSecret: string;
    dependencyTimeoutMs: number;
    suspensionRefreshMs: number;
    subgraphUrls: Record<string, string>;
  },
  logger: Logger,
): SuspendedOrganizations {
  return new SuspendedOrganizations({
    load: remoteSuspendedOrganizations({
      usersUrl: config.subgraphUrls.users!,
      secret: config.routerSecret,
      timeoutMs: config.dependencyTimeoutMs,
    }),
    logger: logger.child({ component: 'suspensions' }),
    refreshMs: config.suspensionRefreshMs,
    failClosed: config.production,
    longPollMs: SUSPENSION_LONG_POLL_MS,
  });
}
