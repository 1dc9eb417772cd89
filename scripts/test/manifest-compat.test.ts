// Schema-change safety (issue 12, item 4): a subgraph SDL change that breaks an operation of a
// registered client manifest stops `npm run compose`, naming the client, the operation and the
// field. Subgraph SDLs are edited in copies under a temporary directory, never in schema/.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkClientManifests, composeSupergraph, schemaDir, supergraphPath } from '../compose';
import { defaultClientsDir } from '../lib/client-manifests';
import { formatProblem, type CompatProblem } from '../lib/manifest-compat';

const checkedIn = readFileSync(supergraphPath, 'utf8');

const PLACE_ORDER = `mutation PlaceOrder($input: PlaceOrderInput!, $key: String!) {
  placeOrder(input: $input, idempotencyKey: $key) { id number notes status total { amountMinor currency } }
}`;
const RECENT_ORDERS = `query RecentOrders($after: String) {
  orders(first: 5, after: $after, filter: { status: PLACED }) { edges { node { id number status } } }
}`;
const MY_DELIVERIES = `query MyDeliveries {
  orders { edges { node { id delivery { status etaMinutes } } } }
}`;

let tempDirs: string[] = [];
afterEach(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs = [];
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'flow-compat-'));
  tempDirs.push(dir);
  return dir;
}

function writeClient(
  clientsDir: string,
  name: string,
  operations: Record<string, string>,
): Record<string, string> {
  const dir = join(clientsDir, name);
  mkdirSync(join(dir, 'operations'), { recursive: true });
  writeFileSync(
    join(dir, 'client.json'),
    JSON.stringify({ name, kind: 'partner', documents: 'ids-required' }),
  );
  const ids: Record<string, string> = {};
  const entries = Object.entries(operations).map(([opName, body]) => {
    ids[opName] = createHash('sha256').update(body).digest('hex');
    writeFileSync(join(dir, 'operations', `${opName}.graphql`), body);
    return { id: ids[opName], name: opName, type: /^\s*(\w+)/.exec(body)![1], body };
  });
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations: entries }),
  );
  return ids;
}

/** Two clients: hospital-erp places and lists orders, logistics-hub follows deliveries. */
function clients(): { dir: string; ids: Record<string, string> } {
  const dir = tempDir();
  const ids = {
    ...writeClient(dir, 'hospital-erp', { PlaceOrder: PLACE_ORDER, RecentOrders: RECENT_ORDERS }),
    ...writeClient(dir, 'logistics-hub', { MyDeliveries: MY_DELIVERIES }),
  };
  return { dir, ids };
}

type Edits = Record<string, [string, string][]>;

/** A copy of schema/ with text replaced in subgraph SDLs (each replaced text must occur). */
function editedSchema(edits: Edits): string {
  const dir = tempDir();
  // The SDLs and the supergraph only: each test writes the clients it needs.
  cpSync(schemaDir, dir, {
    recursive: true,
    filter: (source) => !source.startsWith(join(schemaDir, 'clients')),
  });
  for (const [subgraph, replacements] of Object.entries(edits)) {
    const file = join(dir, `${subgraph}.graphql`);
    let sdl = readFileSync(file, 'utf8');
    for (const [from, to] of replacements) {
      if (!sdl.includes(from))
        throw new Error(`edit of ${subgraph}.graphql found no ${JSON.stringify(from)}`);
      sdl = sdl.replace(from, to);
    }
    writeFileSync(file, sdl);
  }
  return dir;
}

function check(edits: Edits, clientsDir: string): CompatProblem[] {
  const supergraphSdl = composeSupergraph(editedSchema(edits));
  return checkClientManifests({ supergraphSdl, previousSdl: checkedIn, clientsDir }).problems;
}

const breaks = (problems: CompatProblem[]) => problems.filter((p) => p.severity === 'break');
const warnings = (problems: CompatProblem[]) => problems.filter((p) => p.severity === 'warning');

describe('client manifests against a schema change', () => {
  it('the checked-in supergraph and the registered manifests agree (none registered: nothing to check)', () => {
    const result = checkClientManifests({
      supergraphSdl: checkedIn,
      previousSdl: checkedIn,
      clientsDir: defaultClientsDir,
    });
    expect(breaks(result.problems).map(formatProblem)).toEqual([]);
    expect(checkClientManifests({ supergraphSdl: checkedIn, clientsDir: join(tempDir(), 'none') })).toEqual({
      problems: [],
      blocking: [],
      clients: 0,
      operations: 0,
    });
  });

  it('an unchanged schema raises nothing for valid manifests', () => {
    const { dir } = clients();
    const result = checkClientManifests({
      supergraphSdl: composeSupergraph(),
      previousSdl: checkedIn,
      clientsDir: dir,
    });
    expect(result.problems).toEqual([]);
    expect(result).toMatchObject({ clients: 2, operations: 3 });
  });

  it('removing a field an operation selects breaks it, naming client, operation, id and field', () => {
    const { dir, ids } = clients();
    const problems = check({ orders: [['  notes: String\n  paymentMethod', '  paymentMethod']] }, dir);
    expect(breaks(problems)).toEqual([
      {
        severity: 'break',
        client: 'hospital-erp',
        operation: 'PlaceOrder',
        id: ids.PlaceOrder,
        coordinate: 'Order.notes',
        message: 'Cannot query field "notes" on type "Order".',
      },
    ]);
    expect(formatProblem(breaks(problems)[0]!)).toBe(
      `hospital-erp: operation PlaceOrder (id ${ids.PlaceOrder!.slice(0, 12)}…) [Order.notes]: Cannot query field "notes" on type "Order".`,
    );
  });

  it('renaming an argument breaks the operations passing it', () => {
    const { dir } = clients();
    const problems = check(
      {
        orders: [
          ['first: Int = 20, after', 'limit: Int = 20, after'],
          ['slicingArguments: ["first"]', 'slicingArguments: ["limit"]'],
        ],
      },
      dir,
    );
    expect(breaks(problems).map((p) => [p.client, p.operation, p.coordinate, p.message])).toEqual([
      [
        'hospital-erp',
        'RecentOrders',
        'Query.orders(first:)',
        'Unknown argument "first" on field "Query.orders".',
      ],
    ]);
  });

  it('making an argument required breaks the operations leaving it out or passing a nullable variable', () => {
    const { dir } = clients();
    const problems = check(
      { orders: [['after: String): OrderConnection', 'after: String!): OrderConnection']] },
      dir,
    );
    expect(breaks(problems).map((p) => [p.client, p.operation, p.message])).toEqual([
      [
        'hospital-erp',
        'RecentOrders',
        'Variable "$after" of type "String" used in position expecting type "String!".',
      ],
      [
        'logistics-hub',
        'MyDeliveries',
        'Field "orders" argument "after" of type "String!" is required, but it was not provided.',
      ],
    ]);
  });

  it('an additive change passes: new field, new optional argument, new type, new optional input field', () => {
    const { dir } = clients();
    const problems = check(
      {
        orders: [
          [
            '  notes: String\n  paymentMethod',
            '  notes: String\n  "Shown to the driver."\n  driverNote: String\n  paymentMethod',
          ],
          ['after: String): OrderConnection', 'after: String, since: DateTime): OrderConnection'],
          ['type OrderEdge {', 'type OrderSummary {\n  count: Int!\n}\n\ntype OrderEdge {'],
          [
            '  deliveryPosition(id: ID!)',
            '  orderSummary: OrderSummary @authenticated\n  deliveryPosition(id: ID!)',
          ],
          ['  depotId: ID\n', '  depotId: ID\n  driverNote: String\n'],
        ],
      },
      dir,
    );
    expect(problems).toEqual([]);
  });

  it('removing a field no manifest uses passes', () => {
    const { dir } = clients();
    expect(
      check({ orders: [['  "Why it was rejected or cancelled."\n  closeReason: String\n', '']] }, dir),
    ).toEqual([]);
  });

  it('deprecating a used field warns without breaking', () => {
    const { dir } = clients();
    const problems = check(
      { orders: [['  number: String!\n', '  number: String! @deprecated(reason: "use id")\n']] },
      dir,
    );
    expect(breaks(problems)).toEqual([]);
    expect(warnings(problems).map((p) => [p.client, p.operation, p.coordinate])).toEqual([
      ['hospital-erp', 'PlaceOrder', 'Order.number'],
      ['hospital-erp', 'RecentOrders', 'Order.number'],
    ]);
    expect(warnings(problems)[0]!.message).toBe('uses deprecated field Order.number: use id');
  });

  it('a new required input field breaks an operation sending that input type in a variable', () => {
    const { dir } = clients();
    const problems = check(
      { orders: [['  depotId: ID\n', '  depotId: ID\n  contactPhone: String!\n']] },
      dir,
    );
    expect(breaks(problems).map((p) => [p.client, p.operation, p.coordinate, p.message])).toEqual([
      [
        'hospital-erp',
        'PlaceOrder',
        'PlaceOrderInput.contactPhone',
        'input field PlaceOrderInput.contactPhone is new and required: a client that leaves it out of $input is refused',
      ],
    ]);
  });

  it('removing an enum value a client may send in a variable breaks; adding one it receives warns', () => {
    const { dir } = clients();
    const removed = check(
      {
        orders: [['  URGENT\n  EMERGENCY\n', '  URGENT\n']],
        pricing: [['  URGENT\n  EMERGENCY\n', '  URGENT\n']],
      },
      dir,
    );
    expect(breaks(removed).map((p) => [p.operation, p.coordinate])).toEqual([
      ['PlaceOrder', 'Priority.EMERGENCY'],
    ]);

    // admin declares OrderStatus too (platformStats): a shared enum changes in every subgraph at once.
    const onHold: [string, string] = ['  CANCELLED\n}', '  CANCELLED\n  ON_HOLD\n}'];
    const added = check({ orders: [onHold], admin: [onHold] }, dir);
    expect(breaks(added)).toEqual([]);
    expect(warnings(added).map((p) => [p.operation, p.coordinate])).toEqual([
      ['PlaceOrder', 'Order.status'],
      ['RecentOrders', 'Order.status'],
    ]);
  });

  it('a new required input field breaks an operation passing that input type as a literal', () => {
    const dir = tempDir();
    writeClient(dir, 'hospital-erp', {
      ProofOfDelivery:
        'mutation ProofOfDelivery($id: ID!) { confirmDelivery(orderId: $id, proof: { receivedBy: "Ward 3", signature: "data:" }) { id } }',
    });
    const problems = check(
      { orders: [['  receivedBy: String!\n', '  receivedBy: String!\n  receivedAt: DateTime!\n']] },
      dir,
    );
    expect(breaks(problems).map((p) => [p.operation, p.coordinate, p.message])).toEqual([
      [
        'ProofOfDelivery',
        'DeliveryProofInput',
        'Field "DeliveryProofInput.receivedAt" of required type "DateTime!" was not provided.',
      ],
    ]);
  });

  it('names a manifest that is not a persisted query manifest and an operation body that does not parse', () => {
    const dir = tempDir();
    writeClient(dir, 'hospital-erp', { Broken: 'query Broken { orders { ' });
    const result = checkClientManifests({ supergraphSdl: checkedIn, clientsDir: dir });
    expect(result.blocking.map(formatProblem)).toEqual([
      expect.stringMatching(
        /^hospital-erp: operation Broken \(id [0-9a-f]{12}…\): the manifest body does not parse: Syntax Error/,
      ),
    ]);
    writeFileSync(join(dir, 'hospital-erp', 'manifest.json'), JSON.stringify({ operations: [] }));
    expect(() => checkClientManifests({ supergraphSdl: checkedIn, clientsDir: dir })).toThrow(
      /hospital-erp\/manifest.json: expected format "apollo-persisted-query-manifest", version 1/,
    );
  });

  it('a new @requiresScopes on a selected field warns: tokens without the scope are refused', () => {
    const { dir } = clients();
    const problems = check(
      {
        orders: [
          [
            '  etaMinutes: Int\n  distanceRemainingKm: Float\n  proof',
            '  etaMinutes: Int @requiresScopes(scopes: [["eta:read"]])\n  distanceRemainingKm: Float\n  proof',
          ],
        ],
      },
      dir,
    );
    expect(breaks(problems)).toEqual([]);
    expect(warnings(problems).map((p) => [p.client, p.operation, p.coordinate, p.message])).toEqual([
      [
        'logistics-hub',
        'MyDeliveries',
        'Delivery.etaMinutes',
        'Delivery.etaMinutes now requires @requiresScopes([["eta:read"]]) (was none): tokens without it are refused',
      ],
    ]);
  });

  it('a selected field becoming nullable breaks (a client expecting a value may get null)', () => {
    const { dir } = clients();
    const problems = check({ orders: [['  number: String!\n', '  number: String\n']] }, dir);
    expect(breaks(problems).map((p) => [p.operation, p.coordinate])).toEqual([
      ['PlaceOrder', 'Order.number'],
      ['RecentOrders', 'Order.number'],
    ]);
  });
});

describe('npm run compose with client manifests', () => {
  function compose(dir: string, ...args: string[]): Promise<{ code: number | null; output: string }> {
    const child = spawn(
      process.execPath,
      [
        '--conditions=flow-source',
        '--import',
        'tsx',
        join(__dirname, '..', 'compose.ts'),
        `--schema-dir=${dir}`,
        ...args,
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, COMPOSE_ALLOW_BREAKING: '' },
      },
    );
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
  }

  it('refuses to write a supergraph that breaks a manifest, and writes it when the break is allowed', async () => {
    const dir = editedSchema({ orders: [['  notes: String\n  paymentMethod', '  paymentMethod']] });
    const { ids } = { ids: writeClient(join(dir, 'clients'), 'hospital-erp', { PlaceOrder: PLACE_ORDER }) };

    const refused = await compose(dir);
    expect(refused.code).toBe(1);
    expect(refused.output).toContain(
      `BREAKS: hospital-erp: operation PlaceOrder (id ${ids.PlaceOrder!.slice(0, 12)}…) [Order.notes]: Cannot query field "notes" on type "Order".`,
    );
    expect(refused.output).toContain('--allow-breaking=hospital-erp');
    expect(readFileSync(join(dir, 'supergraph.graphql'), 'utf8')).toBe(checkedIn);

    const stale = await compose(dir, '--check');
    expect(stale.code).toBe(1);

    const allowed = await compose(dir, '--allow-breaking=hospital-erp');
    expect(allowed.code).toBe(0);
    expect(allowed.output).toContain('breaks (allowed): hospital-erp: operation PlaceOrder');
    expect(readFileSync(join(dir, 'supergraph.graphql'), 'utf8')).not.toMatch(
      /type Order\n[^}]*\bnotes: String/,
    );
  });

  it('writes an additive change and names an unknown client given to --allow-breaking', async () => {
    const dir = editedSchema({
      orders: [
        ['  notes: String\n  paymentMethod', '  notes: String\n  driverNote: String\n  paymentMethod'],
      ],
    });
    writeClient(join(dir, 'clients'), 'hospital-erp', { PlaceOrder: PLACE_ORDER });

    const typo = await compose(dir, '--allow-breaking=hospital-rep');
    expect(typo.code).not.toBe(0);
    expect(typo.output).toContain('--allow-breaking names no registered client: hospital-rep');

    const written = await compose(dir);
    expect(written.code).toBe(0);
    expect(written.output).toContain('client manifests: 1 operation(s) of 1 client(s) still valid.');
    expect(readFileSync(join(dir, 'supergraph.graphql'), 'utf8')).toContain('driverNote: String');
  });
});
