/** The quantities of a stock level that the rules below look at. */
export interface Quantities {
  onHand: number;
  reserved: number;
  reorderLevel: number;
}

/** What can still be reserved. */
export const availableOf = (stock: Pick<Quantities, 'onHand' | 'reserved'>) => stock.onHand - stock.reserved;

export const isBelowReorderLevel = (stock: Quantities) => availableOf(stock) < stock.reorderLevel;

/**
 * A change crossed the reorder level downwards: the vendor is told once per crossing, not on
 * every further change while the level stays low.
 */
export const crossedBelowReorderLevel = (before: Quantities, after: Quantities) =>
  isBelowReorderLevel(after) && !isBelowReorderLevel(before);
