import type { Logger } from '@flow/core';
import type { ReviewsPrisma } from '../db';
import { DeliveredOrders } from './deliveries';
import { ReviewService } from './review-service';

export interface ReviewsServices {
  reviews: ReviewService;
  /** The domain-event consumer: `deliveries.handle` is the handler to plug into the event bus. */
  deliveries: DeliveredOrders;
}

export interface ReviewsServicesOptions {
  prisma: ReviewsPrisma;
  logger: Logger;
  reviewWindowDays: number;
}

export function createReviewsServices(options: ReviewsServicesOptions): ReviewsServices {
  const logger = options.logger.child({ service: 'reviews' });
  return {
    reviews: new ReviewService(options.prisma, { reviewWindowDays: options.reviewWindowDays }),
    deliveries: new DeliveredOrders(options.prisma, logger),
  };
}
