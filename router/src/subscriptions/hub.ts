import { createHash, randomUUID } from 'node:crypto';
import type { FormattedExecutionResult } from 'graphql';
import type { Logger } from '@flow/core';
import type { PubSub } from '@flow/live';
import type { RouterContext } from '../context';
import type { LiveEvent } from './snapshots';
import type { SnapshotPlan } from './transform';

/** Runs a query through the gateway (the same pipeline as an HTTP query) with a context. */
export type Executor = (
  query: string,
  variables: Record<string, unknown>,
  context: RouterContext,
  /** Which operation of a document with several to run. */
  operationName?: string | null,
) => Promise<FormattedExecutionResult>;

export interface HubMetrics {
  /** One federated resolution of one event for one group of subscribers. */
  resolutions: () => void;
  delivered: (count: number) => void;
  subscribers: (delta: number) => void;
}

interface Subscriber {
  push: (result: FormattedExecutionResult) => void;
  /** Ends the subscriber's stream (the router is shutting down). */
  end: () => void;
  context: RouterContext;
}

interface Group {
  key: string;
  topic: string;
  plan: SnapshotPlan;
  variables: Record<string, unknown>;
  argsFor: (event: LiveEvent) => Record<string, unknown> | null;
  subscribers: Set<Subscriber>;
  /** Events of a group are resolved one after another, so they arrive in order. */
  queue: Promise<void>;
  unsubscribe: Promise<() => Promise<void>>;
}

export interface Subscription {
  topic: string;
  scope: string;
  plan: SnapshotPlan;
  variables: Record<string, unknown>;
  argsFor: (event: LiveEvent) => Record<string, unknown> | null;
  context: RouterContext;
}

/**
 * Every live subscription of this router, grouped by (topic, query, variables, authorization
 * scope): subscribers in one group would get the same answer, so each event is resolved once per
 * group and the result sent to all of them.
 */
export class SubscriptionHub {
  private readonly groups = new Map<string, Group>();

  constructor(
    private readonly pubsub: PubSub,
    private readonly execute: Executor,
    private readonly metrics: HubMetrics,
    private readonly logger: Logger,
  ) {}

  /** An async iterator of results, one per event, until the client stops (return()). */
  subscribe(subscription: Subscription): AsyncIterableIterator<FormattedExecutionResult> {
    const key = createHash('sha256')
      .update(
        JSON.stringify([
          subscription.topic,
          subscription.plan.query,
          subscription.variables,
          subscription.scope,
        ]),
      )
      .digest('hex');
    let group = this.groups.get(key);
    if (!group) {
      group = {
        key,
        topic: subscription.topic,
        plan: subscription.plan,
        variables: subscription.variables,
        argsFor: subscription.argsFor,
        subscribers: new Set(),
        queue: Promise.resolve(),
        unsubscribe: Promise.resolve(async () => {}),
      };
      const created = group;
      created.unsubscribe = this.pubsub.subscribe(subscription.topic, (message) =>
        this.enqueue(created, message as LiveEvent),
      );
      this.groups.set(key, group);
    }
    return this.iterate(group, subscription.context);
  }

  /** Ends every stream (its client sees it complete) and leaves the channel. */
  async close(): Promise<void> {
    const groups = [...this.groups.values()];
    for (const group of groups) for (const subscriber of [...group.subscribers]) subscriber.end();
    this.groups.clear();
    await Promise.all(groups.map(async (g) => (await g.unsubscribe)()));
  }

  private enqueue(group: Group, event: LiveEvent) {
    group.queue = group.queue
      .then(() => this.resolve(group, event))
      .catch((error: unknown) => {
        this.logger.error({ err: error, topic: group.topic }, 'a live event could not be resolved');
      });
  }

  private async resolve(group: Group, event: LiveEvent) {
    const [first] = group.subscribers;
    if (!first) return;
    const eventArgs = group.argsFor(event);
    if (!eventArgs) return;
    const variables = { ...group.variables };
    for (const [argument, variable] of Object.entries(group.plan.eventVariables))
      variables[variable] = eventArgs[argument];
    const context: RouterContext = {
      ...first.context,
      requestId: `sub-${randomUUID()}`,
      noteOperationName: () => {},
    };
    this.metrics.resolutions();
    const result = await this.execute(group.plan.query, variables, context);
    // Null: the subscriber may no longer see it (or it is gone); nothing to tell.
    if (!result.errors?.length && result.data?.[group.plan.responseKey] == null) return;
    const subscribers = [...group.subscribers];
    for (const subscriber of subscribers) subscriber.push(result);
    this.metrics.delivered(subscribers.length);
  }

  private iterate(group: Group, context: RouterContext): AsyncIterableIterator<FormattedExecutionResult> {
    const pending: FormattedExecutionResult[] = [];
    let wake: ((value: IteratorResult<FormattedExecutionResult>) => void) | null = null;
    let done = false;
    const subscriber: Subscriber = {
      context,
      end: () => void finish(),
      push: (result) => {
        if (done) return;
        if (wake) {
          const resolve = wake;
          wake = null;
          resolve({ value: result, done: false });
        } else pending.push(result);
      },
    };
    group.subscribers.add(subscriber);
    this.metrics.subscribers(1);
    const finish = async (): Promise<IteratorResult<FormattedExecutionResult>> => {
      if (!done) {
        done = true;
        group.subscribers.delete(subscriber);
        this.metrics.subscribers(-1);
        wake?.({ value: undefined, done: true });
        wake = null;
        if (group.subscribers.size === 0 && this.groups.get(group.key) === group) {
          this.groups.delete(group.key);
          await (
            await group.unsubscribe
          )();
        }
      }
      return { value: undefined, done: true };
    };
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      next: () => {
        if (done) return Promise.resolve({ value: undefined, done: true });
        const value = pending.shift();
        if (value) return Promise.resolve({ value, done: false });
        return new Promise((resolve) => (wake = resolve));
      },
      return: finish,
      throw: async (error: unknown) => {
        await finish();
        throw error;
      },
    };
  }
}
