import { errors } from '@flow/platform';
import type { OrderStatus } from '../generated/prisma/client';

export type Transition = 'confirm' | 'reject' | 'dispatch' | 'deliver' | 'cancel';

/** The status machine of the orders README: PLACED -> CONFIRMED -> DISPATCHED -> DELIVERED, PLACED -> REJECTED, PLACED | CONFIRMED -> CANCELLED. */
export const TRANSITIONS: Record<Transition, { from: readonly OrderStatus[]; to: OrderStatus }> = {
  confirm: { from: ['PLACED'], to: 'CONFIRMED' },
  reject: { from: ['PLACED'], to: 'REJECTED' },
  dispatch: { from: ['CONFIRMED'], to: 'DISPATCHED' },
  deliver: { from: ['DISPATCHED'], to: 'DELIVERED' },
  cancel: { from: ['PLACED', 'CONFIRMED'], to: 'CANCELLED' },
};

/** The statuses an order may be in for `transition`, or CONFLICT naming where it is. */
export function requireTransition(transition: Transition, current: OrderStatus): OrderStatus {
  const rule = TRANSITIONS[transition];
  if (!rule.from.includes(current)) throw illegal(transition, current);
  return rule.to;
}

export function illegal(transition: Transition, current: OrderStatus) {
  const rule = TRANSITIONS[transition];
  return errors.conflict(
    `A ${current} order cannot be moved to ${rule.to}; only from ${rule.from.join(' or ')}.`,
    { status: current, attempted: rule.to },
  );
}

/** Statuses that clients see; PENDING and FAILED belong to the placement saga. */
export const VISIBLE_STATUSES: readonly OrderStatus[] = [
  'PLACED',
  'CONFIRMED',
  'DISPATCHED',
  'DELIVERED',
  'REJECTED',
  'CANCELLED',
];
