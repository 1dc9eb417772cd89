/**
 * The entities of one type in a federation `_entities` answer, in order, typed as the operation
 * selected them. An answer for a key the callee does not know is null, and generated types give
 * every other entity type as an empty object: both are left out. Select `__typename` in the
 * operation's `... on Type` for this to find anything.
 */
export function entitiesOf<Typename extends string, Entity>(
  typename: Typename,
  entities: readonly (Entity | null)[],
): Extract<Entity, { __typename: Typename }>[] {
  return entities.filter(
    (entity): entity is Extract<Entity, { __typename: Typename }> =>
      (entity as { __typename?: unknown } | null)?.__typename === typename,
  );
}
