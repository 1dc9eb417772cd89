// Unit tests of the operation budget: the measure (fragments expanded by arithmetic, bounded work
// on bombs and cycles) and the static cost on the real supergraph's @cost/@listSize.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import { getIntrospectionQuery, getOperationAST, parse } from 'graphql';
import {
  admitDocument,
  admitOperation,
  measureDocument,
  measureOperation,
  type OperationBudget,
} from '../src/budget';
import { SATURATED } from '../src/budget/measure';
import { parseRouterConfig } from '../src/env';
import { prepareSupergraph } from '../src/supergraph';
import { repositoryRoot } from './support';

const supergraph = prepareSupergraph(
  readFileSync(join(repositoryRoot, 'schema', 'supergraph.graphql'), 'utf8'),
);
const schema = Supergraph.build(supergraph.gatewaySdl).apiSchema().toGraphQLJSSchema();
const defaults: OperationBudget = parseRouterConfig({}).limits;

/** The fragment bomb: F(i) spreads F(i-1) twice, so `{ ...F<n> }` expands to 2^n fields. */
export function fragmentBomb(levels: number): string {
  let text = 'fragment F0 on Query { __typename }\n';
  for (let i = 1; i <= levels; i += 1)
    text += `fragment F${i} on Query { ...F${i - 1} ... on Query { ...F${i - 1} } }\n`;
  return `${text}{ ...F${levels} }`;
}

const measure = (query: string, variables?: Record<string, unknown>) => {
  const document = parse(query);
  return measureOperation(document, getOperationAST(document)!, {
    schema,
    model: supergraph.costModel,
    variables,
    defaultListSize: defaults.defaultListSize,
  });
};

const refusal = (query: string, variables?: Record<string, unknown>) => {
  const document = parse(query);
  try {
    admitOperation(
      { document, operation: getOperationAST(document)!, variables, schema },
      defaults,
      supergraph.costModel,
    );
  } catch (error) {
    return error as { message: string; extensions: Record<string, unknown> };
  }
  return null;
};

describe('measureOperation: shape', () => {
  it('measures depth through fragments, introspection counting as one level', () => {
    expect(measure('{ me { organization { id } } }').depth).toBe(3);
    expect(
      measure('{ me { ...F } } fragment F on User { organization { ... on Organization { id } } }').depth,
    ).toBe(3);
    expect(measure('{ __schema { types { fields { type { ofType { name } } } } } }').depth).toBe(1);
  });

  it('counts aliases, selections, spreads and directives once per expansion', () => {
    const shape = measure(
      '{ a: me { ...F } b: me { ...F @include(if: true) } } fragment F on User @skip(if: false) { x: id name }',
    );
    expect(shape).toMatchObject({ aliases: 4, selections: 6, fragmentSpreads: 2, directives: 3 });
  });

  it('measures the 2^20 and 2^40 fragment bombs exactly, visiting each selection of the text once', () => {
    const twenty = measure(fragmentBomb(20));
    expect(twenty.selections).toBe(2 ** 20);
    expect(twenty.fragmentSpreads).toBe(3 * (2 ** 20 - 1) + 1);
    const forty = measure(fragmentBomb(40));
    expect(forty.selections).toBe(2 ** 40);
    // 3 selections per fragment + F0's field + the root spread: the work is the text's size.
    expect(forty.visited).toBe(3 * 40 + 2);
  });

  it('saturates instead of overflowing on a 2^1000 bomb', () => {
    const shape = measure(fragmentBomb(1000));
    expect(shape.selections).toBe(SATURATED);
    expect(shape.cost).toBeLessThanOrEqual(SATURATED);
    expect(shape.visited).toBe(3 * 1000 + 2);
  });

  it('survives fragment cycles, missing fragments and unknown fields and types', () => {
    const cycle = measure(
      '{ ...A } fragment A on Query { me { id } ...B } fragment B on Query { ...A me { name } }',
    );
    expect(cycle.selections).toBe(4);
    expect(measure('{ ...Missing nope { deeper } ... on Nowhere { x } }')).toMatchObject({
      selections: 3,
      cost: 0,
    });
    const self = measure('{ ...S } fragment S on Query { ...S ...S ...S }');
    expect(self.fragmentSpreads).toBe(4);
  });
});

describe('measureOperation: cost', () => {
  it('costs objects 1 and scalars 0, lists by their slicing argument or @listSize', () => {
    expect(measure('{ me { id name } }').cost).toBe(1);
    expect(measure('{ me { organization { id } } }').cost).toBe(2);
    // users(first: 5): the connection 1 + 5 edges x (edge 1 + node 1).
    expect(measure('{ me { organization { users(first: 5) { edges { node { id } } } } } }').cost).toBe(
      2 + 1 + 5 * 2,
    );
    // The argument's default (first: Int = 20) when the client gives none.
    expect(measure('{ me { organization { users { edges { node { id } } totalCount } } } }').cost).toBe(
      2 + 1 + 20 * 2,
    );
  });

  it('reads slicing arguments from variables, then variable defaults', () => {
    const query = 'query Q($n: Int = 3) { me { organization { users(first: $n) { edges { cursor } } } } }';
    expect(measure(query).cost).toBe(2 + 1 + 3);
    expect(measure(query, { n: 50 }).cost).toBe(2 + 1 + 50);
  });

  it('weights compareOffers: @cost(weight: 10) per offer of @listSize(assumedSize: 10)', () => {
    const one = 'compareOffers(productId: "p", quantity: 1, siteId: "s") { quantity }';
    expect(measure(`{ ${one} }`).cost).toBe(10 * 10);
    expect(measure(`{ ${one.replace('quantity }', 'quantity total { amountMinor } }')} }`).cost).toBe(
      10 * (10 + 1),
    );
  });

  it('adds a base cost to mutations', () => {
    expect(measure('mutation { logout(refreshToken: "t") }').cost).toBe(10);
  });

  it('prices fragments spread inside connections by the connection size', () => {
    const query =
      '{ me { organization { users(first: 4) { ...E } } } } fragment E on UserConnection { edges { node { id } } }';
    expect(measure(query).cost).toBe(2 + 1 + 4 * 2);
  });
});

describe('admitOperation with the default budget', () => {
  it('refuses the fragment bombs before anything expands them', () => {
    expect(refusal(fragmentBomb(20))?.extensions).toMatchObject({
      code: 'TOO_MANY_SELECTIONS',
      selections: 2 ** 20,
      limit: defaults.maxSelections,
      http: { status: 400 },
    });
    expect(refusal(fragmentBomb(40))?.extensions.code).toBe('TOO_MANY_SELECTIONS');
    const spreads = refusal(
      `{ __typename ${Array.from({ length: defaults.maxFragmentSpreads + 1 }, () => '... on Query { __typename }').join(' ')} }`.slice(
        0,
      ),
    );
    expect(spreads?.extensions).toMatchObject({
      code: 'TOO_MANY_FRAGMENT_SPREADS',
      limit: defaults.maxFragmentSpreads,
    });
  });

  it('refuses the nested Organization.users(first: 40) recursion by cost, naming the root field', () => {
    const error = refusal(
      '{ me { organization { users(first: 40) { edges { node { organization { users(first: 40) { edges { node { id } } } } } } } } } }',
    );
    expect(error?.extensions).toMatchObject({
      code: 'COST_LIMIT_EXCEEDED',
      limit: defaults.maxCost,
      path: ['me'],
    });
    expect(error?.message).toMatch(/estimated cost is \d+; the limit is/);
  });

  it('refuses 30 aliased compareOffers by cost', () => {
    const aliased = Array.from(
      { length: 30 },
      (_, i) => `o${i}: compareOffers(productId: "p", quantity: 1, siteId: "s") { quantity }`,
    ).join(' ');
    expect(refusal(`{ ${aliased} }`)?.extensions.code).toBe('COST_LIMIT_EXCEEDED');
  });

  it('refuses too many directives', () => {
    const many = Array.from({ length: defaults.maxDirectives + 1 }, () => '@include(if: true)').join(' ');
    expect(refusal(`{ me ${many} { id } }`)?.extensions.code).toBe('TOO_MANY_DIRECTIVES');
  });

  it('admits the standard introspection query and returns the estimate', () => {
    expect(refusal(getIntrospectionQuery())).toBeNull();
    const document = parse('{ me { organization { id } } }');
    const admission = admitOperation(
      { document, operation: getOperationAST(document)!, schema },
      defaults,
      supergraph.costModel,
    );
    expect(admission.cost).toEqual({ estimated: 2, maximum: defaults.maxCost });
  });
});

describe('admitDocument (before validation, every definition)', () => {
  it('measures the largest definition, spread or not, in bounded work', () => {
    const unused = fragmentBomb(40).replace('{ ...F40 }', 'query Small { __typename }');
    const shape = measureDocument(parse(unused));
    expect(shape.selections).toBe(2 ** 40);
    expect(shape.visited).toBeLessThan(400);
    expect(() => admitDocument(parse(unused), defaults)).toThrow(/selects \d+ fields/);
  });

  it('refuses an operation that will not run and admits a document of small ones', () => {
    const wide = `{ ${Array.from({ length: defaults.maxSelections + 1 }, (_, i) => `f${i}: __typename`).join(' ')} }`;
    expect(() => admitDocument(parse(`query A { __typename } query B ${wide}`), defaults)).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'TOO_MANY_ALIASES' }) }),
    );
    expect(() =>
      admitDocument(
        parse('query A { me { id } } query B { me { name } } fragment F on User { id }'),
        defaults,
      ),
    ).not.toThrow();
  });
});
