// Query plans levelled (src/plan-levels.ts), on real plans: built by @apollo/query-planner from
// the federation benchmark's supergraph (scripts/bench/guild/) and from Flow's own.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApolloGateway } from '@apollo/gateway';
import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import { QueryPlanner, type PlanNode, type QueryPlan } from '@apollo/query-planner';
import { parse } from 'graphql';
import { levelQueryPlan, levelQueryPlans } from '../src/plan-levels';
import { prepareSupergraph } from '../src/supergraph';
import { composeGuildSupergraph } from '../../scripts/bench/guild/compose';
import { GUILD_QUERY } from '../../scripts/bench/guild/query';
import { memoryLogger, repositoryRoot, silentLogger } from './support';

const guildSdl = composeGuildSupergraph({
  accounts: 'http://127.0.0.1:1/graphql',
  inventory: 'http://127.0.0.1:2/graphql',
  products: 'http://127.0.0.1:3/graphql',
  reviews: 'http://127.0.0.1:4/graphql',
});
const flowSdl = prepareSupergraph(
  readFileSync(join(repositoryRoot, 'schema', 'supergraph.graphql'), 'utf8'),
).gatewaySdl;

function planner(sdl: string) {
  const supergraph = Supergraph.build(sdl);
  const built = new QueryPlanner(supergraph);
  return (query: string): QueryPlan =>
    built.buildQueryPlan(operationFromDocument(supergraph.apiSchema(), parse(query)));
}
const guildPlan = planner(guildSdl);
const flowPlan = planner(flowSdl);

type Step = PlanNode; // a Fetch, or a Flatten of one
const fetchOf = (step: Step) =>
  (step.kind === 'Flatten' ? step.node : step) as Extract<PlanNode, { kind: 'Fetch' }>;

/** Every fetch step of `node`, in plan order. */
function steps(node: QueryPlan['node']): Step[] {
  if (!node) return [];
  if (node.kind === 'Fetch' || node.kind === 'Flatten') return [node];
  if (node.kind === 'Sequence' || node.kind === 'Parallel') return node.nodes.flatMap(steps);
  throw new Error(`unexpected ${node.kind}`);
}

/** The pairs [a, b] where the plan has `a` finish before `b` starts (a Sequence's order). */
function orderedPairs(node: PlanNode): [Step, Step][] {
  if (node.kind === 'Fetch' || node.kind === 'Flatten') return [];
  const children = (node as { nodes: PlanNode[] }).nodes;
  const pairs = children.flatMap(orderedPairs);
  if (node.kind === 'Sequence')
    children.forEach((earlier, i) =>
      children.slice(i + 1).forEach((later) => {
        for (const a of steps(earlier)) for (const b of steps(later)) pairs.push([a, b]);
      }),
    );
  return pairs;
}

/** A levelled plan's levels: the steps of each child of its Sequence. */
function levelsOf(plan: QueryPlan): Step[][] {
  const node = plan.node as PlanNode;
  const levels = node.kind === 'Sequence' ? node.nodes : [node];
  return levels.map((level) => {
    expect(['Parallel', 'Fetch', 'Flatten']).toContain(level.kind);
    return level.kind === 'Parallel' ? level.nodes : [level];
  });
}

/** Calls a levelled plan makes: one per subgraph per level (the router batches the rest). */
const callsOf = (levels: Step[][]) =>
  levels.reduce((calls, level) => calls + new Set(level.map((s) => fetchOf(s).serviceName)).size, 0);

/** What must hold of any levelled plan: the same steps, each once, and every planned order kept. */
function expectFaithful(planned: QueryPlan, levelled: QueryPlan) {
  const levels = levelsOf(levelled);
  const levelOf = new Map<Step, number>();
  levels.forEach((level, i) => level.forEach((step) => levelOf.set(step, i)));
  expect(levels.flat()).toHaveLength(steps(planned.node as PlanNode).length);
  expect(new Set(levels.flat())).toEqual(new Set(steps(planned.node as PlanNode)));
  const pairs = orderedPairs(planned.node as PlanNode);
  expect(pairs.length).toBeGreaterThan(0);
  for (const [a, b] of pairs) expect(levelOf.get(a)!).toBeLessThan(levelOf.get(b)!);
}

describe('levelling the federation benchmark query', () => {
  const planned = guildPlan(GUILD_QUERY);
  const levelled = levelQueryPlan(planned);

  it('turns its two branches into four levels of six calls', () => {
    expect(planned.node?.kind).toBe('Parallel');
    expect(levelled).not.toBe(planned);
    const levels = levelsOf(levelled);
    expect(levels.map((level) => [...new Set(level.map((s) => fetchOf(s).serviceName))].sort())).toEqual([
      ['accounts', 'products'],
      ['reviews'],
      ['products'],
      ['accounts', 'inventory'],
    ]);
    expect(callsOf(levels)).toBe(6);
    expect(steps(planned.node)).toHaveLength(16);
  });

  it('keeps every step once and every order the plan had', () => {
    expectFaithful(planned, levelled);
  });

  it('levels each plan once: levelling a levelled plan changes nothing', () => {
    expect(levelQueryPlan(levelled)).toBe(levelled);
  });

  it('lines up a shorter branch with the longer one where they call the same subgraphs', () => {
    const two = guildPlan('{ users { reviews { product { name } } } topProducts { reviews { body } } }');
    const levels = levelsOf(levelQueryPlan(two));
    expect(levels.map((level) => level.map((s) => fetchOf(s).serviceName).sort())).toEqual([
      ['accounts', 'products'],
      ['reviews', 'reviews'],
      ['products'],
    ]);
  });
});

describe("levelling Flow's plans", () => {
  const operations = ['flow-web', 'hospital-erp', 'logistics-integrator'].flatMap((client) => {
    const manifest = JSON.parse(
      readFileSync(join(repositoryRoot, 'schema', 'clients', client, 'manifest.json'), 'utf8'),
    ) as { operations: { name: string; body: string }[] };
    return manifest.operations.map((o) => [o.name, o.body] as const);
  });

  it.each(operations)('leaves %s as planned (nothing to save)', (_name, body) => {
    const planned = flowPlan(body);
    expect(levelQueryPlan(planned)).toBe(planned);
  });

  it('batches two branches that reach users at different depths', () => {
    const planned = flowPlan('query Q($id: ID!) { me { id } order(id: $id) { id placedBy { name } } }');
    const levelled = levelQueryPlan(planned);
    expectFaithful(planned, levelled);
    expect(levelsOf(levelled).map((level) => level.map((s) => fetchOf(s).serviceName))).toEqual([
      ['orders'],
      ['users', 'users'],
    ]);
  });

  it("keeps a mutation plan's root mutations in order, each alone in its level", () => {
    const planned = flowPlan(`mutation M($order: ID!, $org: ID!) {
      confirmOrder(orderId: $order) { id placedBy { name } site { organization { name } } }
      approveOrganization(id: $org) { id name }
    }`);
    const levelled = levelQueryPlan(planned);
    expect(levelled).not.toBe(planned); // a Parallel of unequal branches after confirmOrder
    expectFaithful(planned, levelled);
    const mutationsOf = (levels: Step[][]) =>
      levels
        .filter((level) => level.some((s) => fetchOf(s).operationKind === 'mutation'))
        .map((level) => level.map((s) => fetchOf(s).operation));
    const planSteps = steps(planned.node).filter((s) => fetchOf(s).operationKind === 'mutation');
    expect(planSteps.map((s) => fetchOf(s).serviceName)).toEqual(['orders', 'users']);
    expect(mutationsOf(levelsOf(levelled))).toEqual(planSteps.map((s) => [fetchOf(s).operation]));
  });
});

describe('plans left as planned', () => {
  const fetch = (serviceName: string, operation = '{a}'): PlanNode =>
    ({ kind: 'Fetch', serviceName, operation, operationKind: 'query' }) as PlanNode;
  const flatten = (node: PlanNode): PlanNode => ({ kind: 'Flatten', path: ['a'], node });
  // Would be levelled: the second branch's `b` lines up with the first one's.
  const branches = (): PlanNode[] => [
    { kind: 'Sequence', nodes: [fetch('a'), flatten(fetch('b'))] },
    fetch('b'),
  ];
  const plan = (node: PlanNode): QueryPlan => ({ kind: 'QueryPlan', node });

  it('levels the plain shape these start from', () => {
    const levelled = levelQueryPlan(plan({ kind: 'Parallel', nodes: branches() }));
    expect(levelsOf(levelled).map((l) => l.map((s) => fetchOf(s).serviceName))).toEqual([['a'], ['b', 'b']]);
  });

  it.each<[string, () => PlanNode]>([
    [
      'a Condition',
      () => ({ kind: 'Condition', condition: 'x', ifClause: { kind: 'Parallel', nodes: branches() } }),
    ],
    [
      'a Defer',
      () => ({ kind: 'Defer', primary: { node: { kind: 'Parallel', nodes: branches() } }, deferred: [] }),
    ],
    [
      'a mutation inside a Parallel',
      () => ({ kind: 'Parallel', nodes: [...branches(), fetch('b', 'mutation{m}')] }),
    ],
    [
      'a node of a kind not known here',
      () => ({ kind: 'Parallel', nodes: [...branches(), { kind: 'Teleport' } as unknown as PlanNode] }),
    ],
    [
      'a Flatten of something else than a Fetch',
      () => ({ kind: 'Parallel', nodes: [...branches(), flatten({ kind: 'Sequence', nodes: [] })] }),
    ],
    [
      'nothing to save (one subgraph per branch)',
      () => ({
        kind: 'Parallel',
        nodes: [fetch('a'), { kind: 'Sequence', nodes: [fetch('b'), fetch('c')] }],
      }),
    ],
  ])('with %s', (_what, node) => {
    const planned = plan(node());
    expect(levelQueryPlan(planned)).toBe(planned);
  });
});

describe("the gateway's plans levelled", () => {
  const operation = () => operationFromDocument(Supergraph.build(guildSdl).apiSchema(), parse(GUILD_QUERY));
  const warnings = (lines: () => Record<string, unknown>[]) => lines().filter((line) => line.level === 40);

  it('are levelled by the planner the gateway keeps', async () => {
    const { logger, lines } = memoryLogger();
    const gateway = new ApolloGateway({ supergraphSdl: guildSdl, logger: silentLogger() });
    levelQueryPlans(gateway, logger);
    await gateway.load();
    try {
      const plan = gateway.__testing().queryPlanner!.buildQueryPlan(operation());
      expect(plan.node?.kind).toBe('Sequence');
      expect(callsOf(levelsOf(plan))).toBe(6);
      expect(warnings(lines)).toEqual([]);
    } finally {
      await gateway.stop();
    }
  });

  it('fall back to as planned, logged once, when the gateway keeps its planner elsewhere', async () => {
    const { logger, lines } = memoryLogger();
    const gateway = new ApolloGateway({ supergraphSdl: guildSdl, logger: silentLogger() });
    // A gateway whose private shape changed: no `queryPlanner` where plan-levels looks for it.
    let listener: Parameters<ApolloGateway['onSchemaLoadOrUpdate']>[0] | undefined;
    const changed = {
      onSchemaLoadOrUpdate: (callback: typeof listener & object) => {
        listener = callback;
        return gateway.onSchemaLoadOrUpdate(callback);
      },
    };
    levelQueryPlans(changed, logger);
    await gateway.load();
    try {
      listener!({ apiSchema: gateway.schema!, coreSupergraphSdl: guildSdl }); // a second schema load
      const plan = gateway.__testing().queryPlanner!.buildQueryPlan(operation());
      expect(plan.node?.kind).toBe('Parallel'); // as planned
      expect(warnings(lines).map((line) => line.msg)).toEqual([
        'query plans are not levelled: the gateway no longer has the planner this expects',
      ]);
    } finally {
      await gateway.stop();
    }
  });

  it('fall back to as planned, logged once, when levelling a plan fails', () => {
    const { logger, lines } = memoryLogger();
    const failing = Object.defineProperty({ kind: 'QueryPlan' }, 'node', {
      get: () => {
        throw new Error('a plan shape that breaks levelling');
      },
    });
    const planner = { buildQueryPlan: (): unknown => failing };
    const gateway = {
      queryPlanner: planner,
      onSchemaLoadOrUpdate: (listener: () => void) => {
        listener();
        listener(); // a second load with the same planner: wrapped once
        return () => undefined;
      },
    };
    levelQueryPlans(gateway as unknown as ApolloGateway, logger);
    expect(planner.buildQueryPlan()).toBe(failing);
    expect(planner.buildQueryPlan()).toBe(failing);
    expect(warnings(lines).map((line) => line.msg)).toEqual([
      'a query plan could not be levelled and is used as planned',
    ]);
  });
});
