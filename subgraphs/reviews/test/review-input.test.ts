import { randomUUID } from 'node:crypto';
import { checkHide, checkReview } from '../src/services/review-input';
import { summarize } from '../src/services/ratings';

const orderId = randomUUID();
const fieldOf = (check: () => unknown) => {
  try {
    check();
    return null;
  } catch (error) {
    return (error as { extensions: { code: string; field: string } }).extensions;
  }
};

describe('checkReview', () => {
  it('trims the comment, and takes a blank one for none', () => {
    expect(checkReview({ orderId: orderId.toUpperCase(), rating: 5, comment: ' Good. ' })).toEqual({
      orderId,
      rating: 5,
      comment: 'Good.',
    });
    expect(checkReview({ orderId, rating: 1, comment: '   ' }).comment).toBeNull();
    expect(checkReview({ orderId, rating: 1 }).comment).toBeNull();
    expect(checkReview({ orderId, rating: 1, comment: 'x'.repeat(2000) }).comment).toHaveLength(2000);
  });

  it.each([
    [{ orderId: 'x', rating: 3 }, 'input.orderId'],
    [{ orderId, rating: 0 }, 'input.rating'],
    [{ orderId, rating: 6 }, 'input.rating'],
    [{ orderId, rating: 2.5 }, 'input.rating'],
    [{ orderId, rating: 3, comment: 'x'.repeat(2001) }, 'input.comment'],
  ])('%j is BAD_USER_INPUT on %s', (input, field) => {
    expect(fieldOf(() => checkReview(input))).toEqual({ code: 'BAD_USER_INPUT', field });
  });
});

it('checkHide needs an id and a reason of at most 500 characters', () => {
  expect(fieldOf(() => checkHide('x', 'why'))).toEqual({ code: 'BAD_USER_INPUT', field: 'id' });
  expect(fieldOf(() => checkHide(orderId, ' '))).toEqual({ code: 'BAD_USER_INPUT', field: 'reason' });
  expect(fieldOf(() => checkHide(orderId, 'x'.repeat(501)))).toEqual({
    code: 'BAD_USER_INPUT',
    field: 'reason',
  });
  expect(checkHide(orderId, ' Abusive ')).toEqual({ id: orderId, reason: 'Abusive' });
});

it('summarize gives the mean to two decimals, null without reviews, and all five stars', () => {
  expect(summarize([0, 0, 0, 0, 0])).toEqual({
    average: null,
    count: 0,
    distribution: [1, 2, 3, 4, 5].map((stars) => ({ stars, count: 0 })),
  });
  expect(summarize([1, 0, 0, 2, 0]).average).toBe(3);
  expect(summarize([0, 0, 1, 1, 1]).average).toBe(4);
  expect(summarize([1, 0, 0, 1, 1]).average).toBe(3.33);
});
