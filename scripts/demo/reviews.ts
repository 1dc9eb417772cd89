// The hospitals' reviews of their delivered demo orders, each submitted by the admin who placed
// the order. Which orders have a review already is read first (the vendors' review lists, one
// request), so a run that finds them all sends nothing. reviews hears of a delivery from orders'
// order.delivered event a moment after the driver confirmed it, and answers NOT_FOUND until then:
// a review is asked again until it is accepted, all of them within one bound.
import { setTimeout as sleep } from 'node:timers/promises';
import { eachAtMost, type Actor, type DemoApi, DemoSeedError } from './api';
import type { SeededOrder } from './orders';

/** How long reviews may take to hear of the demo deliveries, all of them together. */
export const DELIVERY_NEWS_TIMEOUT_MS = 60_000;
const DELIVERY_NEWS_POLL_MS = 250;
const PARALLEL_REVIEWS = 3;

interface ReviewPage {
  edges: { node: { order: { id: string } | null } }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** Ids of the orders among the vendors' visible reviews: every vendor's first page in one request. */
async function reviewedOrderIds(reader: Actor, vendorIds: readonly string[]): Promise<Set<string>> {
  const reviewed = new Set<string>();
  let pending = vendorIds.map((id) => ({ id, after: null as string | null }));
  while (pending.length) {
    const params = pending.map((_, i) => `$id${i}: ID!, $after${i}: String`).join(', ');
    const fields = pending
      .map(
        (_, i) =>
          `v${i}: organization(id: $id${i}) { reviews(first: 100, after: $after${i}) { edges { node { order { id } } } pageInfo { hasNextPage endCursor } } }`,
      )
      .join(' ');
    const data = await reader.query<Record<string, { reviews: ReviewPage | null } | null>>(
      `query (${params}) { ${fields} }`,
      Object.fromEntries(
        pending.flatMap(({ id, after }, i) => [
          [`id${i}`, id],
          [`after${i}`, after],
        ]),
      ),
    );
    pending = pending.flatMap((vendor, i) => {
      const page = data[`v${i}`]?.reviews;
      if (!page) throw new DemoSeedError(`${reader.email} cannot read the reviews of vendor ${vendor.id}`);
      for (const { node } of page.edges) if (node.order) reviewed.add(node.order.id);
      return page.pageInfo.hasNextPage ? [{ id: vendor.id, after: page.pageInfo.endCursor }] : [];
    });
  }
  return reviewed;
}

/** Whether the order has a review now (false: its review window closed before one was given). */
async function submitReview(
  api: DemoApi,
  order: SeededOrder,
  { deadline, timeoutMs }: { deadline: number; timeoutMs: number },
): Promise<boolean> {
  const author = await api.as(order.demo.hospital);
  const input = { orderId: order.id, ...order.demo.review! };
  for (;;) {
    try {
      await author.attempt('mutation ($input: SubmitReviewInput!) { submitReview(input: $input) { id } }', {
        input,
      });
      return true;
    } catch (error) {
      if (!(error instanceof DemoSeedError)) throw error;
      // Reviewed meanwhile, or a review hidden by a platform admin (absent from the list): as it is.
      if (error.reason === 'ALREADY_REVIEWED') return true;
      // Delivered longer ago than the review window (a data folder seeded before reviews existed).
      if (error.reason === 'REVIEW_WINDOW_CLOSED') return false;
      if (error.code !== 'NOT_FOUND') throw error;
      if (Date.now() >= deadline)
        throw new DemoSeedError(
          `reviews has not heard that order ${order.number} (demo order ${order.demo.key}) was delivered after ${timeoutMs / 1000} s: is the reviews subgraph running and receiving order.delivered events?`,
          error.code,
        );
      await sleep(DELIVERY_NEWS_POLL_MS);
    }
  }
}

/** Reviews every delivered demo order that has none; answers how many demo orders have one. */
export async function seedReviews(
  api: DemoApi,
  orders: readonly SeededOrder[],
  vendorIds: ReadonlyMap<string, string>,
  { timeoutMs = DELIVERY_NEWS_TIMEOUT_MS } = {},
): Promise<number> {
  const delivered = orders.filter(({ demo, status }) => status === 'DELIVERED' && demo.review);
  if (!delivered.length) return 0;
  const vendors = [...new Set(delivered.map(({ demo }) => vendorIds.get(demo.vendor)!))];
  const reviewed = await reviewedOrderIds(await api.as(delivered[0]!.demo.hospital), vendors);
  const missing = delivered.filter(({ id }) => !reviewed.has(id));
  const deadline = Date.now() + timeoutMs;
  let refused = 0;
  await eachAtMost(PARALLEL_REVIEWS, missing, async (order) => {
    if (!(await submitReview(api, order, { deadline, timeoutMs }))) refused += 1;
  });
  return delivered.length - refused;
}
