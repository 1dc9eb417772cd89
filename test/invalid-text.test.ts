// Issue 11 case 10: a NUL in a string argument reached Postgres and answered INTERNAL_SERVER_ERROR
// (in development with Prisma's message and a file path). Now every subgraph refuses it with
// BAD_USER_INPUT naming the field before any resolver runs, and the router before planning.
// The subgraphs are called directly (unsigned, as development allows), since the router would
// refuse first; each call is one that would otherwise write or query with the text.
import { randomUUID } from 'node:crypto';
import { createGraphQLClient } from '@flow/testing';
import { createTestEnvironment, type PlatformTestEnvironment } from './environment';
import { registerOrganization, type Actor } from './support/actors';

let t: PlatformTestEnvironment;
let hospital: Actor;

beforeAll(async () => {
  t = await createTestEnvironment();
  hospital = await registerOrganization(t.gql, 'HOSPITAL');
}, 300_000);
afterAll(() => t?.stop());

const count = async (subgraph: string, table: string) =>
  (await t.sql<{ n: number }>(subgraph, `SELECT count(*)::int AS n FROM ${table}`))[0]!.n;

interface Case {
  subgraph: string;
  query: string;
  variables?: Record<string, unknown>;
  field: string;
  /** A table the call would have written to: its row count must not change. */
  table?: string;
}

const cases: Case[] = [
  {
    subgraph: 'users',
    query:
      'mutation ($email: String!) { login(email: $email, password: "whatever-password") { accessToken } }',
    variables: { email: 'a\u0000@b.c' },
    field: 'email',
    table: 'login_attempts',
  },
  {
    subgraph: 'locations',
    query: 'mutation ($input: CreateSiteInput!) { createSite(input: $input) { id } }',
    variables: {
      input: {
        name: 'Ward',
        kind: 'HOSPITAL',
        address: { line1: 'Main St\u0000 1', city: 'Lyon', country: 'FR' },
        position: { lat: 45.76, lng: 4.83 },
      },
    },
    field: 'input.address.line1',
    table: 'sites',
  },
  {
    subgraph: 'inventory',
    query: '{ products(filter: { search: "a\\u0000b" }) { edges { node { id } } } }',
    field: 'filter.search',
  },
  {
    subgraph: 'pricing',
    query: 'query ($after: String) { priceList(after: $after) { edges { node { id } } } }',
    variables: { after: 'cursor\uD800' },
    field: 'after',
  },
  {
    subgraph: 'orders',
    query:
      'mutation ($input: PlaceOrderInput!, $key: String!) { placeOrder(input: $input, idempotencyKey: $key) { id } }',
    variables: {
      input: {
        siteId: randomUUID(),
        items: [{ productId: randomUUID(), quantity: 1 }],
        notes: 'urgent\u0000',
        payment: { method: 'CARD', cardToken: 'tok_visa' },
      },
      key: randomUUID(),
    },
    field: 'input.notes',
    table: 'orders',
  },
  {
    subgraph: 'payments',
    query:
      'mutation ($input: AuthorizePaymentInput!) { authorizePayment(input: $input, idempotencyKey: "k") { id } }',
    variables: {
      input: {
        orderId: randomUUID(),
        payerOrganizationId: randomUUID(),
        payeeOrganizationId: randomUUID(),
        amount: { amountMinor: 100, currency: 'USD' },
        method: 'INVOICE',
        purchaseOrderNumber: 'PO-\u00001',
      },
    },
    field: 'input.purchaseOrderNumber',
    table: 'payments',
  },
  {
    subgraph: 'reviews',
    query: 'mutation ($input: SubmitReviewInput!) { submitReview(input: $input) { id } }',
    variables: { input: { orderId: randomUUID(), rating: 5, comment: 'fine\u0000' } },
    field: 'input.comment',
    table: 'reviews',
  },
  {
    subgraph: 'notifications',
    query: 'mutation { markNotificationsRead(ids: ["\\u0000"]) }',
    field: 'ids[0]',
    table: 'notification_receipts',
  },
];

describe('text arguments with a NUL or an unpaired surrogate', () => {
  it.each(cases)('$subgraph refuses it with BAD_USER_INPUT naming $field, and changes nothing', async (c) => {
    const before = c.table ? await count(c.subgraph, c.table) : 0;
    const gql = createGraphQLClient(t.subgraphs[c.subgraph]!.url);
    const result = await gql({ query: c.query, variables: c.variables, token: hospital.token });
    expect(result.errors).toHaveLength(1);
    // The platform check's own message: a service's later validation would word it differently.
    expect(result.errors![0]).toMatchObject({
      message: `${c.field} contains a character that is not allowed (NUL or an unpaired surrogate).`,
      extensions: { code: 'BAD_USER_INPUT', field: c.field },
    });
    // Development shows error details (stack included): none from Prisma or Postgres any more.
    expect(JSON.stringify(result.errors)).not.toMatch(/prisma|invalid byte sequence|0x00/i);
    if (c.table) expect(await count(c.subgraph, c.table)).toBe(before);
  });

  it('the router refuses the issue’s two examples before planning, naming the field', async () => {
    const products = await t.gql({
      query: '{ products(filter: { search: "a\\u0000b" }) { edges { node { id } } } }',
      token: hospital.token,
    });
    const login = await t.gql({
      query: 'mutation ($email: String!) { login(email: $email, password: "p") { accessToken } }',
      variables: { email: 'a\u0000@b.c' },
    });
    expect([products.status, products.errors?.[0]?.extensions]).toEqual([
      400,
      expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'filter.search' }),
    ]);
    expect([login.status, login.errors?.[0]?.extensions]).toEqual([
      400,
      expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'email' }),
    ]);
  });
});
