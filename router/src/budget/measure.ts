// One pass over an operation, fragments expanded by arithmetic, never by copying: each fragment is
// measured once (per list size it is sized by) and its totals are multiplied into every place it
// is spread. The work is linear in the document, so a fragment bomb (2^40 fields in 1 KB) costs
// what its text costs. Counts saturate instead of overflowing. The pass does not need a valid
// document: unknown fields and types cost nothing, unknown and cyclic fragments add nothing
// (validation refuses those documents anyway; the budget must never crash on them).
import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  OperationTypeNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { emptyCostModel, type CostModel, type ListSize } from './model';

/** Counts stop here: far above any limit, still exact in a double. */
export const SATURATED = Number.MAX_SAFE_INTEGER;
/** A mutation's base cost, as in Apollo's demand control: writes are never cheap. */
export const MUTATION_BASE_COST = 10;

export interface OperationShape {
  /** Deepest field nesting: `{ me { organization { id } } }` is 3. Introspection subtrees count as 1. */
  depth: number;
  /** Aliased fields, fragments expanded. */
  aliases: number;
  /** Field selections, fragments expanded (each spread counts its fragment's fields again). */
  selections: number;
  /** Fragment spreads and inline fragments, expanded. */
  fragmentSpreads: number;
  /** Directives used in the operation, expanded. */
  directives: number;
  /** Static cost estimate (see README "Operation budget"). */
  cost: number;
  /** The response name of the root field with the highest cost, for error messages. */
  costliestRootField: string | null;
  /** Selection nodes visited: bounded by the document's size, whatever it expands to. */
  visited: number;
}

export interface MeasureOptions {
  schema?: GraphQLSchema;
  model?: CostModel;
  variables?: Record<string, unknown> | null;
  /** List size when a list field has neither a slicing argument nor `@listSize(assumedSize)`. */
  defaultListSize?: number;
  /** Fragment totals shared between calls; only sound between shape-only calls (no schema). */
  memo?: FragmentMemo;
}

export type FragmentMemo = Map<string, Totals>;

type Totals = Omit<OperationShape, 'costliestRootField' | 'visited'>;

const add = (a: number, b: number) => Math.min(a + b, SATURATED);
const multiply = (a: number, b: number) => (a === 0 || b === 0 ? 0 : Math.min(a * b, SATURATED));
const zero = (): Totals => ({
  depth: 0,
  aliases: 0,
  selections: 0,
  fragmentSpreads: 0,
  directives: 0,
  cost: 0,
});

function accumulate(into: Totals, from: Totals) {
  into.depth = Math.max(into.depth, from.depth);
  into.aliases = add(into.aliases, from.aliases);
  into.selections = add(into.selections, from.selections);
  into.fragmentSpreads = add(into.fragmentSpreads, from.fragmentSpreads);
  into.directives = add(into.directives, from.directives);
  into.cost = add(into.cost, from.cost);
}

const INTROSPECTION = new Set(['__schema', '__type']);

export function measureOperation(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  options: MeasureOptions = {},
): OperationShape {
  const { schema } = options;
  const model = options.model ?? emptyCostModel();
  const variables = options.variables ?? {};
  const defaultListSize = options.defaultListSize ?? 10;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION && !fragments.has(definition.name.value))
      fragments.set(definition.name.value, definition);
  }
  const variableDefaults = new Map<string, ValueNode>();
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue)
      variableDefaults.set(definition.variable.name.value, definition.defaultValue);
  }
  const memo: FragmentMemo = options.memo ?? new Map();
  const inProgress = new Set<string>();
  let visited = 0;

  const typeNamed = (name: string | undefined): GraphQLNamedType | undefined =>
    name && schema ? schema.getType(name) : undefined;

  const fieldOf = (
    parent: GraphQLNamedType | undefined,
    name: string,
  ): GraphQLField<unknown, unknown> | undefined =>
    parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[name] : undefined;

  const intValue = (node: ValueNode | undefined): number | undefined => {
    if (!node) return undefined;
    if (node.kind === Kind.INT) return Number(node.value);
    if (node.kind === Kind.VARIABLE) {
      const value = variables[node.name.value];
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      if (value === undefined) return intValue(variableDefaults.get(node.name.value));
    }
    return undefined;
  };

  /** The list size a field's slicing arguments ask for (literal, variable, or defaults). */
  const slicedSize = (
    field: GraphQLField<unknown, unknown>,
    node: { arguments?: readonly { name: { value: string }; value: ValueNode }[] },
    listSize: ListSize,
  ): number | undefined => {
    let size: number | undefined;
    for (const name of listSize.slicingArguments) {
      const given = node.arguments?.find((a) => a.name.value === name);
      let value = given ? intValue(given.value) : undefined;
      if (value === undefined) {
        const fallback = field.args.find((a) => a.name === name)?.defaultValue;
        if (typeof fallback === 'number') value = fallback;
      }
      if (value !== undefined) size = Math.max(size ?? 0, value);
    }
    if (size === undefined) return listSize.assumedSize;
    return Math.min(Math.max(0, Math.floor(size)), SATURATED);
  };

  /**
   * Totals of a selection set on `parent`. `sized` holds the sizes a connection's `@listSize`
   * gives to its sized fields (e.g. `edges` gets `first`).
   */
  const measure = (
    selectionSet: SelectionSetNode,
    parent: GraphQLNamedType | undefined,
    sized: ReadonlyMap<string, number> | null,
  ): Totals => {
    const totals = zero();
    for (const selection of selectionSet.selections) {
      visited += 1;
      const own = zero();
      own.directives = selection.directives?.length ?? 0;
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        own.selections = 1;
        own.aliases = selection.alias ? 1 : 0;
        const field = fieldOf(parent, name);
        const namedType = field ? getNamedType(field.type) : undefined;
        const entry = field && parent ? model.fields.get(`${parent.name}.${name}`) : undefined;
        const listSize = entry?.listSize;
        let instances = 1;
        let childSized: Map<string, number> | null = null;
        const slicing = field && listSize ? slicedSize(field, selection, listSize) : undefined;
        if (sized?.has(name)) instances = sized.get(name)!;
        else if (field && isListType(getNullableType(field.type)))
          instances =
            listSize && listSize.sizedFields.length === 0 ? (slicing ?? defaultListSize) : defaultListSize;
        if (listSize && listSize.sizedFields.length > 0) {
          const size = slicing ?? defaultListSize;
          childSized = new Map(listSize.sizedFields.map((f) => [f, size]));
        }
        let below = zero();
        if (selection.selectionSet) below = measure(selection.selectionSet, namedType, childSized);
        if (INTROSPECTION.has(name)) {
          // Introspection is the schema's own data: no subgraph cost, and its depth is fixed.
          below.depth = 0;
          below.cost = 0;
        }
        const typeCost =
          entry?.weight ??
          (namedType ? (model.types.get(namedType.name) ?? (isCompositeType(namedType) ? 1 : 0)) : 0);
        accumulate(own, below);
        own.depth = add(1, below.depth);
        own.cost = INTROSPECTION.has(name) ? 0 : multiply(instances, add(typeCost, below.cost));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        own.fragmentSpreads = 1;
        const condition = selection.typeCondition ? typeNamed(selection.typeCondition.name.value) : parent;
        accumulate(own, measure(selection.selectionSet, condition, sized));
      } else {
        own.fragmentSpreads = 1;
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (fragment && !inProgress.has(name)) {
          const key = sized ? `${name}|${[...sized].map(([f, n]) => `${f}=${n}`).join(',')}` : name;
          let known = memo.get(key);
          if (!known) {
            inProgress.add(name);
            known = measure(fragment.selectionSet, typeNamed(fragment.typeCondition.name.value), sized);
            known.directives = add(known.directives, fragment.directives?.length ?? 0);
            inProgress.delete(name);
            memo.set(key, known);
          }
          accumulate(own, known);
        }
      }
      accumulate(totals, own);
    }
    return totals;
  };

  const rootType = schema
    ? operation.operation === 'mutation'
      ? schema.getMutationType()
      : operation.operation === 'subscription'
        ? schema.getSubscriptionType()
        : schema.getQueryType()
    : undefined;
  const totals = zero();
  totals.directives = operation.directives?.length ?? 0;
  let costliestRootField: string | null = null;
  let costliest = -1;
  // Root selections one by one, so that an error can name the costliest root field.
  for (const selection of operation.selectionSet.selections) {
    const part = measure({ kind: Kind.SELECTION_SET, selections: [selection] }, rootType ?? undefined, null);
    if (selection.kind === Kind.FIELD && part.cost > costliest) {
      costliest = part.cost;
      costliestRootField = (selection.alias ?? selection.name).value;
    }
    accumulate(totals, part);
  }
  if (operation.operation === 'mutation') totals.cost = add(totals.cost, MUTATION_BASE_COST);
  return { ...totals, costliestRootField, visited };
}

/**
 * The shape (no cost) of the largest definition of a document, operations and fragments alike,
 * each expanded: validation walks every definition, used or not, so they all must be small.
 */
export function measureDocument(document: DocumentNode): OperationShape {
  const memo: FragmentMemo = new Map();
  const largest: OperationShape = { ...zero(), costliestRootField: null, visited: 0 };
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION && definition.kind !== Kind.FRAGMENT_DEFINITION)
      continue;
    const asOperation: OperationDefinitionNode = {
      kind: Kind.OPERATION_DEFINITION,
      operation: OperationTypeNode.QUERY,
      directives: definition.directives,
      selectionSet: definition.selectionSet,
    };
    const shape = measureOperation(document, asOperation, { memo });
    largest.depth = Math.max(largest.depth, shape.depth);
    largest.aliases = Math.max(largest.aliases, shape.aliases);
    largest.selections = Math.max(largest.selections, shape.selections);
    largest.fragmentSpreads = Math.max(largest.fragmentSpreads, shape.fragmentSpreads);
    largest.directives = Math.max(largest.directives, shape.directives);
    largest.visited = add(largest.visited, shape.visited);
  }
  return largest;
}
