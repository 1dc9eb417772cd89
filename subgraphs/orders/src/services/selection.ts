import type { GraphQLResolveInfo } from 'graphql';

/**
 * Whether the field's selection asks for more than the entity's key. The router fetching an
 * entity's other fields from its owner asks orders for `id` (and `__typename`) only: nothing to
 * look up for that.
 */
export function asksBeyondId(info: GraphQLResolveInfo): boolean {
  return info.fieldNodes.some((node) =>
    (node.selectionSet?.selections ?? []).some(
      (selection) =>
        selection.kind !== 'Field' ||
        (selection.name.value !== 'id' && selection.name.value !== '__typename'),
    ),
  );
}
