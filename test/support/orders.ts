// Orders through the router for the end-to-end tests: placing, reading and moving orders, and
// looking into a subgraph's own tables.
import { until as waitUntil } from '@flow/testing';
import type { PlatformTestEnvironment } from '../environment';
import { ok } from './actors';
import { PLACE_ORDER, type Hospital, type PlacedOrder } from './ordering';

export const CONFIRM = 'mutation ($id: ID!) { confirmOrder(orderId: $id) { status } }';
export const REJECT =
  'mutation ($id: ID!) { rejectOrder(orderId: $id, reason: "No driver today") { status settlementPending } }';
export const DISPATCH =
  'mutation ($id: ID!, $driver: ID!) { dispatchOrder(orderId: $id, driverId: $driver) { status } }';
export const CANCEL =
  'mutation ($id: ID!) { cancelOrder(orderId: $id, reason: "Not needed") { status settlementPending } }';
export const DELIVER = `mutation ($id: ID!) {
  confirmDelivery(orderId: $id, proof: { receivedBy: "Ward 4 nurse", signature: "data:image/png;base64,AAAA", deliveredSerials: ["CYL-1", "CYL-2"] }) { status settlementPending }
}`;
export const REPORT = `mutation ($id: ID!, $lat: Float!, $lng: Float!) {
  reportDeliveryPosition(orderId: $id, position: { lat: $lat, lng: $lng }, speedKph: 40, heading: 270) {
    lat lng at etaMinutes distanceRemainingKm position { lat lng }
  }
}`;

const ORDER = `query ($id: ID!) {
  order(id: $id) {
    id number status settlementPending closeReason
    site { id name } depot { id name } vendor { id name } hospital { id }
    items { product { id name } quantity }
    statusHistory { status actor { id } note }
    payment { status capturedAmount { amountMinor } }
    delivery { driver { id } status etaMinutes distanceRemainingKm lastPosition { lat lng at etaMinutes } proof { receivedBy deliveredSerials } }
  }
}`;

export interface OrderView {
  id: string;
  status: string;
  settlementPending: boolean;
  closeReason: string | null;
  site: { id: string; name: string };
  statusHistory: { status: string; actor: { id: string } | null; note: string | null }[];
  payment: { status: string; capturedAmount: { amountMinor: number } } | null;
  delivery: {
    driver: { id: string };
    status: string;
    etaMinutes: number | null;
    distanceRemainingKm: number | null;
    lastPosition: { lat: number; lng: number; at: string; etaMinutes: number | null } | null;
    proof: { receivedBy: string; deliveredSerials: string[] } | null;
  } | null;
}

export const codeOf = (result: { errors?: readonly { extensions?: Record<string, unknown> }[] }) =>
  result.errors?.[0]?.extensions?.code;

/** The kit's `until` at the pace of requests through the router and several processes. */
export const until = (condition: () => Promise<boolean>, what: string, timeoutMs = 30_000) =>
  waitUntil(condition, what, timeoutMs, 200);

let sequence = 0;
/** A fresh idempotency key. */
export const key = (label: string) => `${label}-${Date.now().toString(36)}-${++sequence}`;

/** Order operations against the environment `env()` returns (called lazily, once it exists). */
export function orderClient(env: () => PlatformTestEnvironment) {
  const place = (hospital: Hospital, input: Record<string, unknown>, idempotencyKey = key('order')) =>
    env().gql<{ placeOrder: PlacedOrder }>({
      query: PLACE_ORDER,
      variables: { input, key: idempotencyKey },
      token: hospital.admin.token,
    });
  return {
    place,
    async placed(hospital: Hospital, input: Record<string, unknown>) {
      const result = await place(hospital, input);
      if (result.errors) throw new Error(JSON.stringify(result.errors));
      return result.data!.placeOrder;
    },
    async read(token: string, id: string) {
      return (await ok<{ order: OrderView | null }>(env().gql, token, ORDER, { id })).order;
    },
    mutate: (token: string, query: string, variables: Record<string, unknown>) =>
      env().gql<Record<string, { status: string } | null>>({ query, variables, token }),
    /** Rows in a subgraph's own schema. */
    sql: <Row = Record<string, unknown>>(subgraph: string, text: string, values: unknown[] = []) =>
      env().sql<Row>(subgraph, text, values),
  };
}
