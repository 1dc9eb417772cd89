import { recordEvent } from '@flow/contracts';
import {
  decodeCursor,
  errors,
  isUuid,
  pageSize,
  requireViewer,
  toConnection,
  type Connection,
} from '@flow/core';
import { isUniqueViolation } from '@flow/subgraph-kit';
import type { Review } from '../generated/prisma/client';
import type { ReviewsPrisma } from '../db';
import type { ServiceContext } from './context';
import { assertCan, can, canSee } from './policy';
import { summarize, type RatingSummary } from './ratings';
import { checkHide, checkReview, type SubmitReviewInput } from './review-input';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface ReviewServiceOptions {
  /** How many days after delivery an order may be reviewed. */
  reviewWindowDays: number;
  now?: () => Date;
}

const reviewFacts = (review: Review) => ({
  reviewId: review.id,
  orderId: review.orderId,
  hospitalOrganizationId: review.hospitalOrganizationId,
  vendorOrganizationId: review.vendorOrganizationId,
  rating: review.rating,
  authorId: review.authorId,
});

/** Reviews of delivered orders, vendors' ratings, and their moderation. */
export class ReviewService {
  private readonly now: () => Date;

  constructor(
    private readonly prisma: ReviewsPrisma,
    private readonly options: ReviewServiceOptions,
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /**
   * One review per delivered order of the viewer's hospital, within the window. An order reviews
   * knows nothing of (not delivered, unknown) and another hospital's are the same NOT_FOUND, so
   * that the answer tells nothing about other hospitals' orders.
   */
  async submit(ctx: ServiceContext, input: SubmitReviewInput): Promise<Review> {
    const viewer = requireViewer(ctx.viewer);
    assertCan.submit(viewer);
    const checked = checkReview(input);
    const order = await this.prisma.deliveredOrder.findUnique({ where: { orderId: checked.orderId } });
    if (!order || !can.reviewOrder(viewer, order)) throw errors.notFound('Order', checked.orderId);
    const closesAt = new Date(order.deliveredAt.getTime() + this.options.reviewWindowDays * DAY_MS);
    if (this.now() > closesAt)
      throw errors.conflict(
        `Reviews of this order closed on ${closesAt.toISOString()}, ${this.options.reviewWindowDays} days after delivery.`,
        { reason: 'REVIEW_WINDOW_CLOSED' },
      );
    try {
      return await this.prisma.$transaction(async (tx) => {
        const review = await tx.review.create({
          data: {
            orderId: order.orderId,
            hospitalOrganizationId: order.hospitalOrganizationId,
            vendorOrganizationId: order.vendorOrganizationId,
            authorId: viewer.userId,
            rating: checked.rating,
            comment: checked.comment,
          },
        });
        await recordEvent(
          tx,
          'review.submitted',
          { ...reviewFacts(review), comment: review.comment },
          {
            actor: viewer.userId,
            organizationIds: [review.hospitalOrganizationId, review.vendorOrganizationId],
          },
        );
        return review;
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw errors.conflict('This order was already reviewed.', { reason: 'ALREADY_REVIEWED' });
      throw error;
    }
  }

  /**
   * Hides a review (platform admins). A hidden review stays hidden with its first reason: hiding
   * it again answers it as it is and records no second event.
   */
  async hide(ctx: ServiceContext, rawId: string, rawReason: string): Promise<Review> {
    const viewer = requireViewer(ctx.viewer);
    assertCan.hide(viewer);
    const { id, reason } = checkHide(rawId, rawReason);
    const hidden = await this.prisma.$transaction(async (tx) => {
      const changed = await tx.review.updateMany({
        where: { id, hiddenAt: null },
        data: { hiddenAt: this.now(), hiddenReason: reason, hiddenBy: viewer.userId },
      });
      if (changed.count === 0) return null;
      const review = await tx.review.findUniqueOrThrow({ where: { id } });
      await recordEvent(
        tx,
        'review.hidden',
        { ...reviewFacts(review), reason, hiddenAt: review.hiddenAt!.toISOString() },
        {
          actor: viewer.userId,
          organizationIds: [review.hospitalOrganizationId, review.vendorOrganizationId],
        },
      );
      return review;
    });
    if (hidden) return hidden;
    const current = await this.prisma.review.findUnique({ where: { id } });
    if (!current) throw errors.notFound('Review', id);
    return current;
  }

  /** The review if the viewer may read it; null otherwise (no hint it exists). */
  async visible(ctx: ServiceContext, id: string): Promise<Review | null> {
    requireViewer(ctx.viewer);
    const review = isUuid(id) ? await ctx.loaders.reviewById.load(id) : null;
    return review && canSee(ctx.viewer, review) ? review : null;
  }

  /** A vendor's rating over its visible reviews (every signed-in user). */
  async rating(ctx: ServiceContext, organizationId: string): Promise<RatingSummary> {
    requireViewer(ctx.viewer);
    return summarize(await ctx.loaders.starsByVendorId.load(organizationId));
  }

  /** The average of rating(), for Offer.vendorRating. */
  async averageRating(ctx: ServiceContext, vendorId: string): Promise<number | null> {
    return (await this.rating(ctx, vendorId)).average;
  }

  /** A vendor's reviews, newest first; null for a viewer who may not read them. */
  async ofOrganization(
    ctx: ServiceContext,
    organizationId: string,
    args: { first?: number | null; after?: string | null },
  ): Promise<Connection<Review> | null> {
    const viewer = requireViewer(ctx.viewer);
    const size = pageSize(args.first);
    const after = decodeCursor(args.after);
    if (!can.readReviewsOf(viewer, organizationId)) return null;
    const page = isUuid(organizationId)
      ? await ctx.loaders.reviewPage.load({
          vendorId: organizationId,
          size,
          after,
          includeHidden: can.seeHidden(viewer),
        })
      : { rows: [], totalCount: 0 };
    return toConnection(
      page.rows,
      size,
      page.totalCount,
      (row) => ({ at: row.createdAt.toISOString(), id: row.id }),
      after !== null,
    );
  }
}
