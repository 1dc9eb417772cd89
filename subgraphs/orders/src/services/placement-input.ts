import { errors, requireText, requireUuid } from '@flow/core';

export const MAX_LINES = 20;
export const MAX_UNITS_PER_LINE = 10_000;
const PRIORITIES = ['ROUTINE', 'URGENT', 'EMERGENCY'] as const;
export type Priority = (typeof PRIORITIES)[number];

export interface PlaceOrderInput {
  siteId: string;
  items: { productId: string; quantity: number }[];
  priority?: Priority | null;
  vendorId?: string | null;
  depotId?: string | null;
  notes?: string | null;
  payment: { method: 'CARD' | 'INVOICE'; cardToken?: string | null; purchaseOrderNumber?: string | null };
}

/** A placeOrder input that has passed every check, in the form the saga and the key hash use. */
export interface PlacementRequest {
  siteId: string;
  items: { productId: string; quantity: number }[];
  priority: Priority;
  vendorId: string | null;
  depotId: string | null;
  notes: string | null;
  payment:
    | { method: 'CARD'; cardToken: string; purchaseOrderNumber: null }
    | { method: 'INVOICE'; cardToken: null; purchaseOrderNumber: string };
}

/** Checks a placeOrder input; BAD_USER_INPUT names the first offending field. */
export function parsePlacement(input: PlaceOrderInput): PlacementRequest {
  const siteId = requireUuid(input.siteId, 'input.siteId');
  if (input.items.length === 0) throw errors.badUserInput('input.items', 'An order needs at least one item.');
  if (input.items.length > MAX_LINES)
    throw errors.badUserInput('input.items', `An order has at most ${MAX_LINES} items.`);
  const seen = new Set<string>();
  const items = input.items.map((item, index) => {
    const productId = requireUuid(item.productId, `input.items.${index}.productId`);
    if (seen.has(productId))
      throw errors.badUserInput(
        `input.items.${index}.productId`,
        'Each product may appear once; add the quantities together.',
      );
    seen.add(productId);
    if (!Number.isInteger(item.quantity) || item.quantity < 1 || item.quantity > MAX_UNITS_PER_LINE)
      throw errors.badUserInput(
        `input.items.${index}.quantity`,
        `input.items.${index}.quantity must be a whole number from 1 to ${MAX_UNITS_PER_LINE}.`,
      );
    return { productId, quantity: item.quantity };
  });
  const priority = input.priority ?? 'ROUTINE';
  if (!PRIORITIES.includes(priority))
    throw errors.badUserInput('input.priority', `input.priority must be one of ${PRIORITIES.join(', ')}.`);
  const vendorId = input.vendorId ? requireUuid(input.vendorId, 'input.vendorId') : null;
  const depotId = input.depotId ? requireUuid(input.depotId, 'input.depotId') : null;
  const notes = input.notes?.trim() ? requireText(input.notes, 'input.notes', { max: 1000 }) : null;
  return { siteId, items, priority, vendorId, depotId, notes, payment: parsePayment(input.payment) };
}

function parsePayment(payment: PlaceOrderInput['payment']): PlacementRequest['payment'] {
  if (payment.method === 'CARD') {
    if (payment.purchaseOrderNumber)
      throw errors.badUserInput(
        'input.payment.purchaseOrderNumber',
        'A card payment takes no purchase order number.',
      );
    const cardToken = requireText(payment.cardToken ?? '', 'input.payment.cardToken', { max: 255 });
    return { method: 'CARD', cardToken, purchaseOrderNumber: null };
  }
  if (payment.method === 'INVOICE') {
    if (payment.cardToken)
      throw errors.badUserInput('input.payment.cardToken', 'An invoiced order takes no card token.');
    const purchaseOrderNumber = requireText(
      payment.purchaseOrderNumber ?? '',
      'input.payment.purchaseOrderNumber',
      { max: 100 },
    );
    return { method: 'INVOICE', cardToken: null, purchaseOrderNumber };
  }
  throw errors.badUserInput('input.payment.method', 'input.payment.method must be CARD or INVOICE.');
}
