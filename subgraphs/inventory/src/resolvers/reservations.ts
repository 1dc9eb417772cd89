import type { MutationResolvers, QueryResolvers, ReservationResolvers } from '../generated/resolvers-types';
import { productOf } from './products';

export const reservationQueries: Pick<
  QueryResolvers,
  'reservation' | 'reservationByReference' | 'heldReservations'
> = {
  reservation: (_, { id }, ctx) => ctx.services.reservations.byId(ctx, id),
  reservationByReference: (_, { organizationId, reference }, ctx) =>
    ctx.services.reservations.byReference(ctx, organizationId, reference),
  heldReservations: (_, args, ctx) => ctx.services.reservations.held(ctx, args),
};

export const reservationMutations: Pick<
  MutationResolvers,
  'reserveStock' | 'commitReservation' | 'releaseReservation'
> = {
  reserveStock: (_, { input }, ctx) => ctx.services.reservations.reserve(ctx, input),
  commitReservation: (_, { id }, ctx) => ctx.services.reservations.commit(ctx, id),
  releaseReservation: (_, { id, reason }, ctx) => ctx.services.reservations.release(ctx, id, reason),
};

export const Reservation: ReservationResolvers = {
  depot: (reservation) => ({ id: reservation.depotId }),
  product: (reservation, _, ctx) => productOf(ctx, reservation.productId),
};
