import { defineStateMachine, errors } from '@flow/core';
import type { ReservationStatus } from '../generated/prisma/client';

/**
 * A hold is HELD until one of three closes it for good: the orders service commits it (shipped),
 * releases it (given back), or the sweeper expires it (reservation-sweeper.ts). Each close is a
 * compare-and-set on HELD (stock-store.ts closeHeldReservation), so exactly one of them wins.
 */
export const reservationStatus = defineStateMachine<ReservationStatus>(
  {
    HELD: ['COMMITTED', 'RELEASED', 'EXPIRED'],
    COMMITTED: [],
    RELEASED: [],
    EXPIRED: [],
  },
  {
    // COMMITTED -> "committed", RELEASED -> "released": the attempted status reads as the verb.
    refuse: (status, attempted) =>
      errors.conflict(`The reservation is ${status} and cannot be ${attempted.toLowerCase()}.`, { status }),
  },
);
