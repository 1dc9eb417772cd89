// Operation limits checked after validation and before planning: depth and aliases, both measured
// on the operation with its fragments expanded (memoized, so measuring stays linear in the
// document even when a fragment is spread many times).
import {
  GraphQLError,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { RouterErrorCode } from './errors';

export interface OperationLimits {
  maxDepth: number;
  maxAliases: number;
}

export interface OperationShape {
  /** Deepest field nesting: `{ me { organization { id } } }` is 3. Introspection subtrees count as 1. */
  depth: number;
  /** Aliased fields once fragments are expanded (each spread counts its fragment's aliases again). */
  aliases: number;
}

export function measureOperation(document: DocumentNode, operation: OperationDefinitionNode): OperationShape {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const memo = new Map<string, OperationShape>();
  const inProgress = new Set<string>();

  const measure = (selectionSet: SelectionSetNode): OperationShape => {
    let depth = 0;
    let aliases = 0;
    for (const selection of selectionSet.selections) {
      let inner: OperationShape = { depth: 0, aliases: 0 };
      if (selection.kind === Kind.FIELD) {
        const introspection = selection.name.value === '__schema' || selection.name.value === '__type';
        const below =
          selection.selectionSet && !introspection
            ? measure(selection.selectionSet)
            : { depth: 0, aliases: 0 };
        inner = { depth: 1 + below.depth, aliases: (selection.alias ? 1 : 0) + below.aliases };
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        inner = measure(selection.selectionSet);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (fragment && !inProgress.has(name)) {
          let known = memo.get(name);
          if (!known) {
            inProgress.add(name);
            known = measure(fragment.selectionSet);
            inProgress.delete(name);
            memo.set(name, known);
          }
          inner = known;
        }
      }
      depth = Math.max(depth, inner.depth);
      aliases += inner.aliases;
    }
    return { depth, aliases };
  };

  return measure(operation.selectionSet);
}

/** Throws the error to send when the operation is over a limit. */
export function enforceLimits(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  limits: OperationLimits,
): OperationShape {
  const shape = measureOperation(document, operation);
  if (shape.depth > limits.maxDepth) {
    throw new GraphQLError(
      `The operation is nested ${shape.depth} levels deep; the limit is ${limits.maxDepth}.`,
      {
        extensions: {
          code: RouterErrorCode.QUERY_TOO_DEEP,
          depth: shape.depth,
          limit: limits.maxDepth,
          http: { status: 400 },
        },
      },
    );
  }
  if (shape.aliases > limits.maxAliases) {
    throw new GraphQLError(
      `The operation uses ${shape.aliases} aliases; the limit is ${limits.maxAliases}.`,
      {
        extensions: {
          code: RouterErrorCode.TOO_MANY_ALIASES,
          aliases: shape.aliases,
          limit: limits.maxAliases,
          http: { status: 400 },
        },
      },
    );
  }
  return shape;
}
