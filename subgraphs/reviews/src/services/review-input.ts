// The checks of submitReview's and hideReview's input, before anything is read: pure, so each
// refusal is tested on its own. A client's mistake is BAD_USER_INPUT naming the field.
import { errors, requireText, requireUuid } from '@flow/core';

export const MAX_COMMENT_LENGTH = 2000;
export const MAX_HIDE_REASON_LENGTH = 500;

export interface SubmitReviewInput {
  orderId: string;
  rating: number;
  comment?: string | null;
}

export interface CheckedReview {
  orderId: string;
  rating: number;
  /** Trimmed; null when absent or blank. */
  comment: string | null;
}

export function checkReview(input: SubmitReviewInput): CheckedReview {
  const orderId = requireUuid(input.orderId, 'input.orderId');
  if (!Number.isInteger(input.rating) || input.rating < 1 || input.rating > 5)
    throw errors.badUserInput('input.rating', 'input.rating must be a whole number of stars from 1 to 5.');
  const comment =
    input.comment === null || input.comment === undefined || input.comment.trim() === ''
      ? null
      : requireText(input.comment, 'input.comment', { max: MAX_COMMENT_LENGTH });
  return { orderId, rating: input.rating, comment };
}

export function checkHide(id: string, reason: string): { id: string; reason: string } {
  return {
    id: requireUuid(id, 'id'),
    reason: requireText(reason, 'reason', { max: MAX_HIDE_REASON_LENGTH }),
  };
}
