// Issue 12 item 2: partner credentials, through the real router and subgraphs. A hospital's
// client application gets a token by the client credentials grant at the router's POST
// /oauth/token, places and reads its hospital's orders (never another's), is refused within
// seconds of its revocation (and a token of a rotated-away secret likewise), and spends a rate
// budget of its own. A partner token may run only the operations of its application's manifest, by
// id (issue 12 item 1): the test registers one for the applications it creates (e2e-erp-1, -2,
// ...) in a folder of its own.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, print } from 'graphql';
import { routerSignedClient } from './support/services';
import { createTestEnvironment, type PlatformTestEnvironment } from './environment';
import { ok, platformAdmin } from './support/actors';
import { liveClient } from './support/live';
import {
  orderInput,
  PLACE_ORDER,
  productIds,
  setUpHospital,
  setUpVendor,
  type Hospital,
  type Vendor,
} from './support/ordering';
import { codeOf, key, until } from './support/orders';

let t: PlatformTestEnvironment;
let adminToken: string;
let vendor: Vendor;
let product: string;
let hospitalA: Hospital;
let hospitalB: Hospital;

/** On a second router: small enough for a test to run a partner out of it. */
const CLIENT_POINTS_PER_MINUTE = 40;

const COMPARE =
  'query Compare($p: ID!, $s: ID!) { compareOffers(productId: $p, quantity: 1, siteId: $s) { vendor { id } } }';
const ORDER_BY_ID = 'query OrderById($id: ID!) { order(id: $id) { id } }';
const ORDERS = 'query Orders { orders(first: 5) { totalCount edges { node { id } } } }';
const EVENTS = 'subscription Events { orderEvents { type } }';
/** Listed for another application only: a partner sending its id is refused. */
const OTHER_ONLY = 'query OtherOnly { products(first: 1) { totalCount } }';

const bodyOf = (text: string) => print(parse(text));
const idOf = (text: string) => createHash('sha256').update(bodyOf(text)).digest('hex');

/** A client folder as `npm run manifests` writes it, for a partner application named `name`. */
function registerClient(root: string, name: string, operations: string[]) {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'client.json'),
    JSON.stringify({ name, kind: 'partner', documents: 'ids-required' }),
  );
  const entries = operations.map((text) => {
    const operation = parse(text).definitions[0] as { operation: string; name?: { value: string } };
    return {
      id: idOf(text),
      name: operation.name?.value ?? '',
      type: operation.operation,
      body: bodyOf(text),
    };
  });
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations: entries }),
  );
}

const clientsDir = mkdtempSync(join(tmpdir(), 'flow-partners-'));
for (let n = 1; n <= 8; n += 1)
  registerClient(clientsDir, `e2e-erp-${n}`, [COMPARE, PLACE_ORDER, ORDERS, ORDER_BY_ID, EVENTS]);
registerClient(clientsDir, 'e2e-other', [OTHER_ONLY]);

type Answer<Data> = {
  status: number;
  data?: Data;
  errors?: readonly { message?: string; extensions?: Record<string, unknown> }[];
};

/** A listed operation run by its id at a router (POST, or GET for queries). */
async function byId<Data = Record<string, unknown>>(
  token: string,
  text: string,
  variables: Record<string, unknown> = {},
  options: { routerUrl?: string; method?: 'GET' | 'POST' } = {},
): Promise<Answer<Data>> {
  const url = new URL('/graphql', options.routerUrl ?? t.routerUrl);
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  let response: Response;
  if (options.method === 'GET') {
    url.searchParams.set('documentId', idOf(text));
    url.searchParams.set('variables', JSON.stringify(variables));
    response = await fetch(url, { headers: { ...headers, 'apollo-require-preflight': 'true' } });
  } else {
    response = await fetch(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ documentId: idOf(text), variables }),
    });
  }
  return { status: response.status, ...((await response.json()) as Omit<Answer<Data>, 'status'>) };
}

async function listed<Data>(token: string, text: string, variables: Record<string, unknown> = {}) {
  const answer = await byId<Data>(token, text, variables);
  if (answer.errors?.length) throw new Error(`${text}: ${JSON.stringify(answer.errors)}`);
  return answer.data!;
}

beforeAll(async () => {
  t = await createTestEnvironment({ SUSPENSION_REFRESH_MS: '1000', TRUSTED_DOCUMENTS_DIR: clientsDir });
  adminToken = await platformAdmin(t.gql);
  product = (await productIds(t.gql, adminToken, 1))[0]!;
  vendor = await setUpVendor(t.gql, adminToken, { productIds: [product], onHand: 500, unitPrice: 4_000 });
  hospitalA = await setUpHospital(t.gql);
  hospitalB = await setUpHospital(t.gql);
}, 180_000);
afterAll(async () => {
  await t?.stop();
  rmSync(clientsDir, { recursive: true, force: true });
});

const CREATE = `mutation ($input: CreateClientApplicationInput!) {
  createClientApplication(input: $input) { clientSecret application { id name } }
}`;

interface Partner {
  id: string;
  name: string;
  secret: string;
}

/** A call signed as the router straight to a subgraph (what a router with a stale list would send). */
const signedCall = (subgraph: string, token: string, query: string) =>
  routerSignedClient(t.subgraphs[subgraph]!.url)({ query, token });

let partners = 0;
async function createPartner(hospital: Hospital, scopes: string[]): Promise<Partner> {
  const data = await ok<{
    createClientApplication: { clientSecret: string; application: { id: string; name: string } };
  }>(t.gql, hospital.admin.token, CREATE, {
    input: { name: `e2e-erp-${++partners}`, scopes },
  });
  const { clientSecret, application } = data.createClientApplication;
  return { ...application, secret: clientSecret };
}

async function tokenFor(partner: Partner) {
  const response = await fetch(new URL('/oauth/token', t.routerUrl), {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${partner.id}:${partner.secret}`).toString('base64')}`,
    },
    body: 'grant_type=client_credentials',
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, string>,
  };
}

async function accessToken(partner: Partner) {
  const answer = await tokenFor(partner);
  if (answer.status !== 200) throw new Error(`token refused: ${JSON.stringify(answer.body)}`);
  return answer.body.access_token!;
}

describe('a partner through the router', () => {
  it('gets a token at POST /oauth/token and acts for its own hospital only', async () => {
    const partnerA = await createPartner(hospitalA, ['orders:read', 'orders:write', 'catalog:read']);
    const partnerB = await createPartner(hospitalB, ['orders:read']);
    const answer = await tokenFor(partnerA);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.body).toMatchObject({
      token_type: 'Bearer',
      scope: 'orders:read orders:write catalog:read',
    });
    const tokenA = answer.body.access_token!;
    const tokenB = await accessToken(partnerB);

    // The partner reads the catalog and places an order as its hospital's staff would: by id.
    const offers = await byId(tokenA, COMPARE, { p: product, s: hospitalA.siteId });
    expect(offers.errors).toBeUndefined();
    const placed = await byId<{ placeOrder: { id: string; status: string } }>(tokenA, PLACE_ORDER, {
      input: orderInput(hospitalA, [{ productId: product, quantity: 1 }], {
        vendorId: vendor.admin.organizationId,
      }),
      key: key('partner'),
    });
    expect(placed.errors).toBeUndefined();
    const orderId = placed.data!.placeOrder.id;

    type Orders = { orders: { totalCount: number; edges: { node: { id: string } }[] } };
    const seenByA = await listed<Orders>(tokenA, ORDERS);
    expect(seenByA.orders.edges.map((e) => e.node.id)).toContain(orderId);
    // GET by id too (queries only), with the same answer.
    const viaGet = await byId<Orders>(tokenA, ORDERS, {}, { method: 'GET' });
    expect(viaGet.status).toBe(200);
    expect(viaGet.data).toEqual(seenByA);
    // Free text, an unknown id, and another application's id are refused before any subgraph.
    const freeText = await t.gql({ query: ORDERS, token: tokenA });
    expect(codeOf(freeText)).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    const othersId = await byId(tokenA, OTHER_ONLY);
    expect(codeOf(othersId)).toBe('PERSISTED_QUERY_NOT_FOUND');
    // The hospital's own admin sees the partner's order: it is the hospital's. Placed by no person.
    const seenByAdmin = await ok<Orders>(t.gql, hospitalA.admin.token, ORDERS);
    expect(seenByAdmin.orders.totalCount).toBe(seenByA.orders.totalCount);
    const withPlacer = await ok<{ order: { placedBy: unknown } }>(
      t.gql,
      hospitalA.admin.token,
      'query ($id: ID!) { order(id: $id) { placedBy { id name } } }',
      { id: orderId },
    );
    expect(withPlacer.order.placedBy).toBeNull();
    // Another hospital's partner sees none of it, nor the order by id.
    const seenByB = await listed<Orders>(tokenB, ORDERS);
    expect(seenByB.orders.totalCount).toBe(0);
    const byIdOfB = await byId<{ order: unknown }>(tokenB, ORDER_BY_ID, { id: orderId });
    expect(byIdOfB.data?.order ?? null).toBeNull();
    // Without orders:write it places nothing; without catalog:read it compares nothing.
    const refusedPlace = await byId(tokenB, PLACE_ORDER, {
      input: orderInput(hospitalB, [{ productId: product, quantity: 1 }]),
      key: key('partner-b'),
    });
    expect(codeOf(refusedPlace)).toBe('FORBIDDEN');
    const refusedCompare = await byId(tokenB, COMPARE, { p: product, s: hospitalB.siteId });
    expect(codeOf(refusedCompare)).toBe('FORBIDDEN');
  });

  it("shares the sign-in budget of its address at the router's /oauth/token; RFC errors pass through", async () => {
    const partner = await createPartner(hospitalA, ['orders:read']);
    const router = await t.addRouter({ LOGIN_RATE_LIMIT_PER_MINUTE: '2' });
    const post = (authorization: string) =>
      fetch(new URL('/oauth/token', router.url), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization },
        body: 'grant_type=client_credentials',
      });
    const wrong = await post(`Basic ${Buffer.from(`${partner.id}:fcs_wrong`).toString('base64')}`);
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_client' });
    const right = `Basic ${Buffer.from(`${partner.id}:${partner.secret}`).toString('base64')}`;
    expect((await post(right)).status).toBe(200);
    const throttled = await post(right);
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await throttled.json()).toMatchObject({ error: 'temporarily_unavailable' });
  });

  it('is refused everywhere within seconds of its revocation', async () => {
    const partner = await createPartner(hospitalA, ['orders:read']);
    const token = await accessToken(partner);
    expect((await byId(token, ORDERS)).errors).toBeUndefined();
    // Its live socket is open (an orderEvents subscription) before the revocation.
    const socket = liveClient(t.routerUrl, token);
    const connected = new Promise((resolve) => socket.on('connected', resolve));
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      socket.on('closed', (event) => resolve(event as { code: number; reason: string })),
    );
    // By id over graphql-ws too: its protocol needs a string query, so an empty one goes with it.
    const subscribed = new Promise<void>((resolve, reject) =>
      socket.subscribe(
        { query: '', extensions: { persistedQuery: { version: 1, sha256Hash: idOf(EVENTS) } } },
        { next: () => undefined, error: reject, complete: resolve },
      ),
    );
    void subscribed.catch(() => undefined);
    await connected;
    const revokedAt = Date.now();
    await ok(t.gql, adminToken, 'mutation ($id: ID!) { revokeClientApplication(id: $id) { status } }', {
      id: partner.id,
    });
    let refusal: { status: number; errors?: readonly { extensions?: Record<string, unknown> }[] } | undefined;
    await until(async () => {
      refusal = await byId(token, ORDERS);
      return codeOf(refusal) === 'FORBIDDEN';
    }, 'the revoked partner refused by the router');
    console.log(`ms from revokeClientApplication to the router's refusal: ${Date.now() - revokedAt}`);
    expect(refusal!.status).toBe(403);
    expect(refusal!.errors?.[0]?.extensions?.reason).toBe('CLIENT_APPLICATION_REVOKED');
    // The subgraphs' own lists too: a call signed as the router straight to orders is refused.
    await until(async () => {
      const direct = await signedCall('orders', token, ORDERS);
      return (
        codeOf(direct) === 'FORBIDDEN' &&
        direct.errors?.[0]?.extensions?.reason === 'CLIENT_APPLICATION_REVOKED'
      );
    }, 'the revoked partner refused by the orders subgraph');
    console.log(
      `ms from revokeClientApplication to the orders subgraph's refusal: ${Date.now() - revokedAt}`,
    );
    expect(await closed).toMatchObject({ code: 4403, reason: 'Client application revoked' });
    await socket.dispose();
    // No new token either.
    const again = await tokenFor(partner);
    expect(again.status).toBe(401);
    expect(again.body.error).toBe('invalid_client');
  });

  it("refuses the old secret's tokens within seconds of a rotation with no overlap; the new secret's work", async () => {
    const partner = await createPartner(hospitalA, ['orders:read']);
    const oldToken = await accessToken(partner);
    expect((await byId(oldToken, ORDERS)).errors).toBeUndefined();
    // A live socket opened with the old secret's token.
    const socket = liveClient(t.routerUrl, oldToken);
    const connected = new Promise((resolve) => socket.on('connected', resolve));
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      socket.on('closed', (event) => resolve(event as { code: number; reason: string })),
    );
    const subscribed = new Promise<void>((resolve, reject) =>
      socket.subscribe(
        { query: '', extensions: { persistedQuery: { version: 1, sha256Hash: idOf(EVENTS) } } },
        { next: () => undefined, error: reject, complete: resolve },
      ),
    );
    void subscribed.catch(() => undefined);
    await connected;
    const rotatedAt = Date.now();
    const rotated = await ok<{ rotateClientSecret: { clientSecret: string } }>(
      t.gql,
      hospitalA.admin.token,
      'mutation ($id: ID!) { rotateClientSecret(id: $id, overlapSeconds: 0) { clientSecret } }',
      { id: partner.id },
    );
    let refusal: Answer<unknown> | undefined;
    await until(async () => {
      refusal = await byId(oldToken, ORDERS);
      return codeOf(refusal) === 'FORBIDDEN';
    }, "the old secret's token refused by the router");
    console.log(
      `ms from rotateClientSecret(overlapSeconds: 0) to the router's refusal: ${Date.now() - rotatedAt}`,
    );
    expect(refusal!.status).toBe(403);
    expect(refusal!.errors?.[0]?.extensions?.reason).toBe('CLIENT_SECRET_ENDED');
    // The subgraphs' own lists too.
    await until(async () => {
      const direct = await signedCall('orders', oldToken, ORDERS);
      return direct.errors?.[0]?.extensions?.reason === 'CLIENT_SECRET_ENDED';
    }, "the old secret's token refused by the orders subgraph");
    console.log(
      `ms from rotateClientSecret(overlapSeconds: 0) to the orders subgraph's refusal: ${Date.now() - rotatedAt}`,
    );
    expect(await closed).toMatchObject({ code: 4403, reason: 'Client secret ended' });
    await socket.dispose();
    // The application lives on: the old secret gets no token, the new one does, and it works.
    expect((await tokenFor(partner)).status).toBe(401);
    const newToken = await accessToken({ ...partner, secret: rotated.rotateClientSecret.clientSecret });
    const answer = await byId(newToken, ORDERS);
    expect(answer.errors).toBeUndefined();
    expect(answer.status).toBe(200);
  });

  it("spends a rate budget of its own: one partner's limit does not touch another's", async () => {
    const greedy = await createPartner(hospitalA, ['orders:read']);
    const polite = await createPartner(hospitalA, ['orders:read']);
    const greedyToken = await accessToken(greedy);
    const politeToken = await accessToken(polite);
    const router = await t.addRouter({
      RATE_LIMIT_CLIENT_POINTS_PER_MINUTE: String(CLIENT_POINTS_PER_MINUTE),
    });
    let limited: { status: number; errors?: readonly { extensions?: Record<string, unknown> }[] } | undefined;
    // Bounded: the budget holds CLIENT_POINTS_PER_MINUTE points and each operation costs at least 1.
    for (let i = 0; i < CLIENT_POINTS_PER_MINUTE * 2 && !limited; i += 1) {
      const result = await byId(greedyToken, ORDERS, {}, { routerUrl: router.url });
      if (codeOf(result) === 'RATE_LIMITED') limited = result;
    }
    expect(limited?.status).toBe(429);
    expect(limited?.errors?.[0]?.extensions?.limit).toBe('client');
    // Same organization, same address: the other application and the hospital's people go on.
    expect((await byId(politeToken, ORDERS, {}, { routerUrl: router.url })).errors).toBeUndefined();
    const person = await fetch(new URL('/graphql', router.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${hospitalA.admin.token}` },
      body: JSON.stringify({ query: ORDERS }),
    });
    expect(((await person.json()) as Answer<unknown>).errors).toBeUndefined();
  });
});
