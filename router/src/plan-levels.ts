// Query plans regrouped into levels, once, when the gateway builds (and caches) them. The router
// sends the queries one client request starts in the same tick to one subgraph as one batch
// (src/datasource.ts), but a plan's parallel branches reach the same subgraph at different
// ticks: users → accounts → reviews → products and topProducts → products → reviews make two
// calls to products and two to reviews. Levelled, the plan is a Sequence of levels, each a
// Parallel of fetches started together; a shorter branch is placed where its subgraphs coincide
// with the longer one's (as late as possible when that is a tie), so each level's fetches to one
// subgraph become one call.
//
// The answer is the same: each branch keeps its order (a fetch still runs after every step it
// follows in its branch), and parallel branches depend on nothing of each other (that is what the
// planner's Parallel says). A plan is levelled only when its estimated calls drop; one with a
// Condition, Defer or Subscription node, a mutation inside a Parallel, or any shape not known
// here, stays as planned. If the gateway's private shape changes (its planner not found), plans
// stay as planned and that is logged once.
import type { ApolloGateway } from '@apollo/gateway';
import type { Logger } from '@flow/core';

/** The parts of @apollo/query-planner's plan nodes read here (its types are not a dependency). */
interface PlanNode {
  kind: string;
  nodes?: PlanNode[];
  node?: PlanNode;
  serviceName?: string;
  operation?: string;
  operationKind?: string;
}

export interface QueryPlanLike {
  kind: string;
  node?: PlanNode;
}

/** Fetch steps (a Fetch, or a Flatten of one) started together, and the subgraphs they call. */
type Level = { steps: PlanNode[]; services: Set<string> };

const NOT_UNDERSTOOD = null;

function serviceOf(step: PlanNode): string | null {
  const fetch = step.kind === 'Flatten' ? step.node : step;
  if (fetch?.kind !== 'Fetch' || typeof fetch.serviceName !== 'string') return null;
  return fetch.serviceName;
}

const isMutation = (fetch: PlanNode) =>
  fetch.operationKind === 'mutation' || (fetch.operation ?? '').trimStart().startsWith('mutation');

function hasMutation(node: PlanNode): boolean {
  if (node.kind === 'Fetch') return isMutation(node);
  if (node.node) return hasMutation(node.node);
  return (node.nodes ?? []).some(hasMutation);
}

/** Calls to the subgraph in `level` that `other` would join: the subgraphs they share. */
function shared(level: Level, other: Level): number {
  let count = 0;
  for (const service of other.services) if (level.services.has(service)) count += 1;
  return count;
}

/**
 * The levels of `node`: a Sequence's are its children's one after another; a Parallel's children
 * are placed, longest first, at the offset where they share the most subgraphs with the levels
 * placed so far, ties going to the latest offset (a short branch ends with the long one). Null: a
 * node this does not understand.
 */
function levelsOf(node: PlanNode): Level[] | null {
  switch (node.kind) {
    case 'Fetch':
    case 'Flatten': {
      const service = serviceOf(node);
      return service === null ? NOT_UNDERSTOOD : [{ steps: [node], services: new Set([service]) }];
    }
    case 'Sequence': {
      if (!Array.isArray(node.nodes)) return NOT_UNDERSTOOD;
      const levels: Level[] = [];
      for (const child of node.nodes) {
        const childLevels = levelsOf(child);
        if (!childLevels) return NOT_UNDERSTOOD;
        levels.push(...childLevels);
      }
      return levels;
    }
    case 'Parallel': {
      // A mutation's place in time is its own: never moved next to anything.
      if (!Array.isArray(node.nodes) || node.nodes.some(hasMutation)) return NOT_UNDERSTOOD;
      const branches: Level[][] = [];
      for (const child of node.nodes) {
        const childLevels = levelsOf(child);
        if (!childLevels) return NOT_UNDERSTOOD;
        if (childLevels.length > 0) branches.push(childLevels);
      }
      branches.sort((a, b) => b.length - a.length);
      const merged: Level[] = (branches[0] ?? []).map((l) => ({
        steps: [...l.steps],
        services: new Set(l.services),
      }));
      for (const branch of branches.slice(1)) {
        let [offset, best] = [0, -1];
        for (let candidate = merged.length - branch.length; candidate >= 0; candidate -= 1) {
          let score = 0;
          branch.forEach((level, i) => (score += shared(merged[candidate + i]!, level)));
          if (score > best) [best, offset] = [score, candidate];
        }
        branch.forEach((level, i) => {
          const target = merged[offset + i]!;
          target.steps.push(...level.steps);
          for (const service of level.services) target.services.add(service);
        });
      }
      return merged;
    }
    default:
      return NOT_UNDERSTOOD; // Condition, Defer, Subscription, or a kind added later
  }
}

/** Subgraph calls of a plan run level by level, each level's fetches to a subgraph batched. */
function levelledCalls(levels: Level[]): number {
  return levels.reduce((calls, level) => calls + level.services.size, 0);
}

/** The subgraphs of the fetches `node` starts in the tick it starts (one entry per fetch). */
function startingServices(node: PlanNode): string[] {
  if (node.kind === 'Sequence') return node.nodes?.[0] ? startingServices(node.nodes[0]) : [];
  if (node.kind === 'Parallel') return (node.nodes ?? []).flatMap(startingServices);
  const service = serviceOf(node);
  return service === null ? [] : [service];
}

/**
 * Subgraph calls of a plan run as planned, counting as batched only fetches sure to start in the
 * same tick: a Parallel's branches' first fetches. Later ones start when an answer arrives, and
 * answers from different calls rarely arrive in the same tick.
 */
function plannedCalls(node: PlanNode, starting = true): number {
  const distinct = (services: string[]) => new Set(services).size;
  let calls = starting ? distinct(startingServices(node)) : 0;
  const children = node.kind === 'Sequence' || node.kind === 'Parallel' ? (node.nodes ?? []) : [];
  children.forEach((child, i) => {
    if (node.kind === 'Sequence' && i > 0) calls += distinct(startingServices(child));
    calls += plannedCalls(child, false);
  });
  return calls;
}

/**
 * `plan` run level by level, or `plan` itself when it is not understood or levelling would not
 * save a call (levels cost latency: each waits for its slowest fetch).
 */
export function levelQueryPlan<P extends QueryPlanLike>(plan: P): P {
  if (plan.kind !== 'QueryPlan' || !plan.node) return plan;
  const levels = levelsOf(plan.node);
  if (!levels || levelledCalls(levels) >= plannedCalls(plan.node)) return plan;
  const nodes = levels.map((level) =>
    level.steps.length === 1 ? level.steps[0]! : { kind: 'Parallel', nodes: level.steps },
  );
  return { ...plan, node: nodes.length === 1 ? nodes[0] : { kind: 'Sequence', nodes } };
}

interface PlannerLike {
  buildQueryPlan: (...args: unknown[]) => unknown;
}

const isPlanner = (value: unknown): value is PlannerLike =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { buildQueryPlan?: unknown }).buildQueryPlan === 'function';

const isPlan = (value: unknown): value is QueryPlanLike =>
  typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'QueryPlan';

/**
 * Has `gateway` level the plans it builds from now on: its planner (a private field, replaced on
 * every schema load) gets a buildQueryPlan that levels what the original returns, so the plan
 * cache holds levelled plans and nothing is done per request.
 */
export function levelQueryPlans(gateway: Pick<ApolloGateway, 'onSchemaLoadOrUpdate'>, logger: Logger): void {
  const warned = new Set<string>();
  const warnOnce = (message: string, err?: unknown) => {
    if (warned.has(message)) return;
    warned.add(message);
    logger.warn(err === undefined ? {} : { err }, message);
  };
  const levelled = new WeakSet<PlannerLike>();
  gateway.onSchemaLoadOrUpdate(() => {
    const planner = (gateway as unknown as { queryPlanner?: unknown }).queryPlanner;
    if (!isPlanner(planner)) {
      warnOnce('query plans are not levelled: the gateway no longer has the planner this expects');
      return;
    }
    if (levelled.has(planner)) return;
    levelled.add(planner);
    const build = planner.buildQueryPlan;
    planner.buildQueryPlan = function (this: unknown, ...args: unknown[]): unknown {
      const plan = build.apply(this, args);
      if (!isPlan(plan)) {
        warnOnce('query plans are not levelled: the gateway planner returned something unknown');
        return plan;
      }
      try {
        return levelQueryPlan(plan);
      } catch (err) {
        warnOnce('a query plan could not be levelled and is used as planned', err);
        return plan;
      }
    };
  });
}
