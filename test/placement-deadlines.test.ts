// Issue 11, item 6: the deadlines of placeOrder fit together at the defaults. The router waits
// for orders longer than the placement saga can take, and orders lets the router's deadline
// through, so a caller hears the saga's outcome (ORDER_PENDING only when something is stuck).
import { answerMarginMs, parseOrdersConfig, placementWorstCaseMs } from '@flow/orders';
import { parseRouterConfig } from '@flow/router';

it("the router's placeOrder deadline sits above the saga's worst case, and orders accepts it", () => {
  const router = parseRouterConfig({});
  const orders = parseOrdersConfig({});
  const worstCase = placementWorstCaseMs(orders);
  // orders answers a margin before the deadline: the saga must be over by then.
  expect(router.placeOrderTimeoutMs - answerMarginMs(router.placeOrderTimeoutMs)).toBeGreaterThan(worstCase);
  expect(orders.maxDeadlineMs).toBeGreaterThanOrEqual(router.placeOrderTimeoutMs);
  // A placement still running past the grace period would be taken for dead by recovery.
  expect(orders.placementGraceSeconds * 1000).toBeGreaterThan(worstCase);
  // Every other call keeps the short deadline.
  expect(router.subgraphTimeoutMs).toBeLessThan(router.placeOrderTimeoutMs);
});
