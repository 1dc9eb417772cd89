// The explorer in a real browser, on a machine with no internet: headless Chromium opens GET
// /graphql on the router (with every subgraph as a real process), signs in with the page's sign-in
// panel, runs a query with the bearer token and receives a live order's event over graphql-ws.
// Every request to a host other than this machine is blocked and counted: there must be none.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createTestEnvironment, type PlatformTestEnvironment } from './environment';
import { platformAdmin } from './support/actors';
import { CONFIRM, orderClient, until } from './support/orders';
import {
  orderInput,
  productIds,
  setUpHospital,
  setUpVendor,
  type Hospital,
  type Vendor,
} from './support/ordering';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUTPUT = join(__dirname, 'output');
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const PASSWORD = 'an-e2e-password-1'; // registerOrganization's

let t: PlatformTestEnvironment;
let vendor: Vendor;
let hospital: Hospital;
let product: string;
let browser: Browser | undefined;

beforeAll(async () => {
  // Fails, never skips: a machine without a browser must not pass this test silently.
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
  }
  t = await createTestEnvironment();
  const adminToken = await platformAdmin(t.gql);
  product = (await productIds(t.gql, adminToken, 1))[0]!;
  vendor = await setUpVendor(t.gql, adminToken, { productIds: [product], onHand: 50, unitPrice: 4_000 });
  hospital = await setUpHospital(t.gql);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Root in a container: Chromium's own sandbox needs user namespaces it does not get here.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

const { placed, mutate } = orderClient(() => t);

async function liveSubscriptions(): Promise<number> {
  const text = await (await fetch(new URL('/metrics', t.routerUrl))).text();
  const line = text.split('\n').find((l) => /^flow_router_subscriptions[ {]/.test(l));
  return Number(line?.split(' ').pop() ?? 'NaN');
}

interface CodeMirrorHost {
  CodeMirror?: { getValue(): string; setValue(text: string): void };
}
/** What the page's `document` offers the functions run in it (the test has no DOM types). */
type PageGlobal = { document: { querySelector(css: string): CodeMirrorHost | null } };

/** The text of a GraphiQL editor (CodeMirror 5 keeps its instance on the wrapper element). */
const editorText = (page: Page, selector: string) =>
  page.evaluate(
    (css) => (globalThis as unknown as PageGlobal).document.querySelector(css)?.CodeMirror?.getValue() ?? '',
    selector,
  );

const setEditorText = (page: Page, selector: string, text: string) =>
  page.evaluate(
    ([css, value]) => {
      const editor = (globalThis as unknown as PageGlobal).document.querySelector(css!)?.CodeMirror;
      if (!editor) throw new Error(`no editor at ${css}`);
      editor.setValue(value!);
    },
    [selector, text],
  );

const QUERY_EDITOR = '.graphiql-query-editor .CodeMirror';
const RESPONSE = '.graphiql-response .CodeMirror';
const VISIBLE_TOOL_EDITOR = '.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror';

/** Runs a named operation once GraphiQL has read it (its tab is titled with the name). */
async function run(page: Page, name: string, operation: string) {
  await setEditorText(page, QUERY_EDITOR, operation);
  const tab = page.locator('.graphiql-tab-active');
  await until(async () => (await tab.textContent())?.trim() === name, `GraphiQL to read operation ${name}`);
  await page.locator('.graphiql-execute-button').click();
}

async function responseContaining(page: Page, text: string) {
  await until(
    async () => (await editorText(page, RESPONSE)).includes(text),
    `the response pane to show ${text}`,
    60_000,
  );
  return editorText(page, RESPONSE);
}

it('runs a query with a bearer token and receives a live order event, asking no other host for anything', async () => {
  const outside: string[] = [];
  const consoleProblems: string[] = [];
  const sockets: string[] = [];
  const context = await browser!.newContext();
  try {
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (LOCAL_HOSTS.has(url.hostname) || url.protocol === 'data:') return route.continue();
      outside.push(url.href);
      return route.abort('blockedbyclient');
    });
    const page = await context.newPage();
    page.on('websocket', (socket) => {
      sockets.push(socket.url());
      if (!LOCAL_HOSTS.has(new URL(socket.url()).hostname)) outside.push(socket.url());
    });
    page.on('console', (message) => {
      if (message.type() === 'error') consoleProblems.push(message.text());
    });
    page.on('pageerror', (error) => consoleProblems.push(error.message));

    const response = await page.goto(t.routerUrl);
    expect(response?.status()).toBe(200);
    await page.locator('.graphiql-container').waitFor({ timeout: 60_000 });
    // The schema arrived by introspection: the docs explorer lists the root types.
    await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
    await page.locator('.graphiql-doc-explorer').getByText('Query', { exact: true }).first().waitFor();

    // Sign in with the page's helper: it puts the bearer token into the headers editor.
    await page.getByRole('button', { name: 'Show Sign in' }).click();
    await page.getByLabel('Email').fill(hospital.admin.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.locator('.flow-sign-in button[type=submit]').click();
    await page.getByText(/^Signed in as /).waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Headers' }).click();
    expect(await editorText(page, VISIBLE_TOOL_EDITOR)).toMatch(/"Authorization": "Bearer ey/);

    const me = await t.gql<{ me: { name: string } }>({
      query: '{ me { name } }',
      token: hospital.admin.token,
    });
    await run(page, 'WhoAmI', 'query WhoAmI { me { name } }');
    const answer = JSON.parse(await responseContaining(page, '"me"')) as { data: { me: { name: string } } };
    expect(answer.data.me.name).toBe(me.data!.me.name);

    // A subscription with variables, over graphql-ws with the token from the headers editor.
    const order = await placed(
      hospital,
      orderInput(hospital, [{ productId: product, quantity: 1 }], { vendorId: vendor.admin.organizationId }),
    );
    const before = await liveSubscriptions();
    await page.getByRole('button', { name: 'Variables' }).click();
    await setEditorText(page, VISIBLE_TOOL_EDITOR, JSON.stringify({ id: order.id }));
    await run(page, 'Live', 'subscription Live($id: ID!) { orderUpdated(orderId: $id) { id status } }');
    await until(
      async () => (await liveSubscriptions()) > before,
      'the subscription to be live at the router',
    );
    expect((await mutate(vendor.admin.token, CONFIRM, { id: order.id })).errors).toBeUndefined();
    const event = JSON.parse(await responseContaining(page, 'CONFIRMED')) as unknown;
    expect(event).toMatchObject({ data: { orderUpdated: { id: order.id, status: 'CONFIRMED' } } });
    expect(sockets).toEqual([`${t.routerUrl.replace(/^http/, 'ws')}`]);

    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: join(OUTPUT, 'explorer.png'), fullPage: true });

    expect(outside).toEqual([]);
    // A Content-Security-Policy violation would be logged here (and the page would be broken).
    expect(consoleProblems).toEqual([]);
  } catch (error) {
    // What the page showed when it failed, next to the screenshot of a passing run.
    const [page] = context.pages();
    mkdirSync(OUTPUT, { recursive: true });
    await page?.screenshot({ path: join(OUTPUT, 'explorer-failure.png'), fullPage: true }).catch(() => {});
    throw new Error(
      `${String(error)}\noutside requests: ${JSON.stringify(outside)}\nconsole: ${JSON.stringify(consoleProblems)}\nsockets: ${JSON.stringify(sockets)}`,
    );
  } finally {
    await context.close();
  }
}, 300_000);

it('leaves the subgraphs without a landing page: a browser there gets no HTML', async () => {
  for (const [name, subgraph] of Object.entries(t.subgraphs)) {
    const response = await fetch(subgraph.url, { headers: { accept: 'text/html,*/*;q=0.8' } });
    const type = response.headers.get('content-type') ?? '';
    await response.body?.cancel();
    expect(`${name}: ${type}`).not.toContain('text/html');
  }
});
