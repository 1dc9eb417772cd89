import { defineStateMachine, errors } from '@flow/core';
import type { OrderStatus } from '../generated/prisma/client';

export type Transition = 'confirm' | 'reject' | 'dispatch' | 'deliver' | 'cancel';

/**
 * The status machine of the orders README. PENDING -> PLACED | FAILED is the placement saga's
 * (placement-service.ts, recovery.ts); the rest are the named transitions below.
 */
export const orderStatus = defineStateMachine<OrderStatus>(
  {
    PENDING: ['PLACED', 'FAILED'],
    PLACED: ['CONFIRMED', 'REJECTED', 'CANCELLED'],
    CONFIRMED: ['DISPATCHED', 'CANCELLED'],
    DISPATCHED: ['DELIVERED'],
    DELIVERED: [],
    REJECTED: [],
    CANCELLED: [],
    FAILED: [],
  },
  {
    refuse: (current, to, machine) =>
      errors.conflict(
        `A ${current} order cannot be moved to ${to}; only from ${machine.sources(to).join(' or ')}.`,
        { status: current, attempted: to },
      ),
  },
);

const TARGET: Record<Transition, OrderStatus> = {
  confirm: 'CONFIRMED',
  reject: 'REJECTED',
  dispatch: 'DISPATCHED',
  deliver: 'DELIVERED',
  cancel: 'CANCELLED',
};

/** Each named transition: where it goes and the statuses it may start from. */
export const TRANSITIONS = Object.fromEntries(
  Object.entries(TARGET).map(([transition, to]) => [transition, { from: orderStatus.sources(to), to }]),
) as Record<Transition, { from: readonly OrderStatus[]; to: OrderStatus }>;

/** The status `transition` moves an order in `current` to, or CONFLICT naming where it is. */
export function requireTransition(transition: Transition, current: OrderStatus): OrderStatus {
  const to = TARGET[transition];
  orderStatus.assert(current, to);
  return to;
}

export function illegal(transition: Transition, current: OrderStatus) {
  return orderStatus.refusal(current, TARGET[transition]);
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
