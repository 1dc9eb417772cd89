// The cost model of the supergraph: `@cost(weight)` and `@listSize(...)` from the cost spec
// (https://specs.apollo.dev/cost/v0.1), as composition writes them into the supergraph. The
// gateway drops them from the API schema, so the router reads them from the supergraph SDL.
import { Kind, valueFromASTUntyped, type ConstDirectiveNode, type DocumentNode } from 'graphql';

export interface ListSize {
  assumedSize?: number;
  slicingArguments: string[];
  sizedFields: string[];
  requireOneSlicingArgument: boolean;
}

export interface FieldCost {
  weight?: number;
  listSize?: ListSize;
}

export interface CostModel {
  /** By coordinate, `Type.field`. */
  fields: Map<string, FieldCost>;
  /** `@cost` on object types, scalars and enums. */
  types: Map<string, number>;
}

export const emptyCostModel = (): CostModel => ({ fields: new Map(), types: new Map() });

const COST_SPEC = /^https:\/\/specs\.apollo\.dev\/cost\/v0\.\d+\/?$/;

/** The names the supergraph gives @cost and @listSize (imported, renamed, or bare). */
function directiveNames(document: DocumentNode): { cost: string; listSize: string } | null {
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const directive of definition.directives ?? []) {
      if (directive.name.value !== 'link') continue;
      const args = argumentsOf(directive);
      if (typeof args.url !== 'string' || !COST_SPEC.test(args.url)) continue;
      const names = { cost: 'cost', listSize: 'listSize' };
      // Composition imports only some of them and still uses the others under their bare name.
      for (const entry of Array.isArray(args.import) ? args.import : []) {
        const { name, as } =
          typeof entry === 'string' ? { name: entry, as: entry } : (entry as { name?: string; as?: string });
        if (name === '@cost' && as) names.cost = as.replace(/^@/, '');
        if (name === '@listSize' && as) names.listSize = as.replace(/^@/, '');
      }
      return names;
    }
  }
  return null;
}

function argumentsOf(directive: ConstDirectiveNode): Record<string, unknown> {
  return Object.fromEntries(
    (directive.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value)]),
  );
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

/** Reads @cost and @listSize from a supergraph; a supergraph without the cost spec gives an empty model. */
export function readCostModel(document: DocumentNode): CostModel {
  const model = emptyCostModel();
  const names = directiveNames(document);
  if (!names) return model;
  const weightOf = (directives: readonly ConstDirectiveNode[] | undefined) => {
    const cost = directives?.find((d) => d.name.value === names.cost);
    const weight = cost ? argumentsOf(cost).weight : undefined;
    return typeof weight === 'number' ? weight : undefined;
  };
  for (const definition of document.definitions) {
    switch (definition.kind) {
      case Kind.OBJECT_TYPE_DEFINITION:
      case Kind.OBJECT_TYPE_EXTENSION:
      case Kind.INTERFACE_TYPE_DEFINITION:
      case Kind.INTERFACE_TYPE_EXTENSION: {
        const typeWeight = weightOf(definition.directives);
        if (typeWeight !== undefined) model.types.set(definition.name.value, typeWeight);
        for (const field of definition.fields ?? []) {
          const entry: FieldCost = {};
          const weight = weightOf(field.directives);
          if (weight !== undefined) entry.weight = weight;
          const listSize = field.directives?.find((d) => d.name.value === names.listSize);
          if (listSize) {
            const args = argumentsOf(listSize);
            entry.listSize = {
              assumedSize: typeof args.assumedSize === 'number' ? args.assumedSize : undefined,
              slicingArguments: strings(args.slicingArguments),
              sizedFields: strings(args.sizedFields),
              requireOneSlicingArgument: args.requireOneSlicingArgument !== false,
            };
          }
          if (entry.weight !== undefined || entry.listSize)
            model.fields.set(`${definition.name.value}.${field.name.value}`, entry);
        }
        break;
      }
      case Kind.SCALAR_TYPE_DEFINITION:
      case Kind.ENUM_TYPE_DEFINITION: {
        const weight = weightOf(definition.directives);
        if (weight !== undefined) model.types.set(definition.name.value, weight);
        break;
      }
      default:
        break;
    }
  }
  return model;
}
