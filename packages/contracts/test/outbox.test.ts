import { InvalidEventError, outboxRow, recordEvent, recordEvents, type OutboxRow } from '../src';
import { examples } from './examples';

/** A transaction that keeps what it was asked to write. */
function fakeTransaction() {
  const written: OutboxRow[] = [];
  return {
    written,
    outboxEvent: {
      create: async (args: { select: { id: true }; data: OutboxRow }) => {
        written.push(args.data);
        return { id: 'row-id' };
      },
      createMany: async (args: { data: OutboxRow[] }) => {
        written.push(...args.data);
        return { count: args.data.length };
      },
    },
  };
}

const vendor = examples['stock.low'].vendorOrganizationId!;

test('recordEvent writes one row with its type, actor, audience and checked data', async () => {
  const tx = fakeTransaction();
  const meta = { actor: 'service:orders', organizationIds: [vendor, vendor] };
  await expect(recordEvent(tx, 'stock.low', examples['stock.low'], meta)).resolves.toEqual({ id: 'row-id' });
  expect(tx.written).toEqual([
    { type: 'stock.low', actor: 'service:orders', organizationIds: [vendor], data: examples['stock.low'] },
  ]);
});

test('recordEvents writes rows built by outboxRow in one call; none, no call', async () => {
  const tx = fakeTransaction();
  const meta = { actor: null, organizationIds: [vendor] };
  await recordEvents(tx, [
    outboxRow('stock.reserved', examples['stock.reserved'], meta),
    outboxRow('stock.low', examples['stock.low'], meta),
  ]);
  expect(tx.written.map((row) => row.type)).toEqual(['stock.reserved', 'stock.low']);
  const spy = jest.spyOn(tx.outboxEvent, 'createMany');
  await recordEvents(tx, []);
  expect(spy).not.toHaveBeenCalled();
});

test('data its schema refuses is never written: the change fails with it', async () => {
  const tx = fakeTransaction();
  const bad = { ...examples['stock.low'], available: 2.5 };
  await expect(recordEvent(tx, 'stock.low', bad, { actor: null, organizationIds: [vendor] })).rejects.toThrow(
    new InvalidEventError('stock.low', 'data.available is not an integer'),
  );
  expect(tx.written).toEqual([]);
});

// Compile-time: a wrong payload does not compile (tsc --noEmit -p packages/contracts).
export async function wrongPayloads(tx: ReturnType<typeof fakeTransaction>) {
  const meta = { actor: null, organizationIds: [] };
  // @ts-expect-error stock.low has no `quantity`, and lacks its counts
  await recordEvent(tx, 'stock.low', { depotId: 'd', productId: 'p', quantity: 1 }, meta);
  // @ts-expect-error a count is a number, not a string
  await recordEvent(tx, 'stock.low', { ...examples['stock.low'], available: '3' }, meta);
  // @ts-expect-error order.dispatched needs the driver
  await recordEvent(tx, 'order.dispatched', { ...examples['order.dispatched'], driverId: null }, meta);
  // @ts-expect-error not an event type
  await recordEvent(tx, 'order.settled', {}, meta);
}
