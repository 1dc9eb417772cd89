import type { EventHandlers, EventTypesOf } from '@flow/contracts';
import type { SubgraphCatalog } from '@flow/core';

type CatalogName = SubgraphCatalog[number]['name'];

/** The event types the catalog says subgraph `Name` consumes (never, for one that consumes none). */
export type ConsumedEventType<Name extends CatalogName> =
  Extract<SubgraphCatalog[number], { name: Name }> extends { consumes: readonly (infer Binding)[] }
    ? EventTypesOf<Binding & string>
    : never;

/**
 * A consumer's handler map: exactly one handler per event type its catalog entry consumes, so a
 * type added to (or removed from) `consumes` without its handler fails to compile.
 */
export type ConsumerHandlers<Name extends CatalogName, Result> = EventHandlers<
  ConsumedEventType<Name>,
  Result
>;
