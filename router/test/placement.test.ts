// placeOrder's call to orders (issue 11, item 6): recognised in the gateway's subgraph operation
// with its idempotency key, and a failure of that call reads ORDER_PENDING unless orders cannot
// have received it. The end-to-end version is test/placement-race.test.ts.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphQLError } from 'graphql';
import { subgraphClient } from '../src/subgraph-http';
import { mayHaveReachedOrders, pendingPlacement, placementOf } from '../src/placement';

const SENT = `mutation PlaceOrder__orders__0($input:PlaceOrderInput!$key:String!){placeOrder(input:$input idempotencyKey:$key){id status}}`;

describe('placementOf', () => {
  it('finds placeOrder and its key, by variable or literal', () => {
    expect(placementOf(SENT, { input: {}, key: 'k-1' })).toEqual({ idempotencyKey: 'k-1' });
    expect(placementOf('mutation{placed:placeOrder(input:{} idempotencyKey:"k-2"){id}}', {})).toEqual({
      idempotencyKey: 'k-2',
    });
  });

  it('ignores other operations, queries and documents that do not parse', () => {
    expect(placementOf('mutation{confirmOrder(orderId:"1"){id}}', {})).toBeNull();
    expect(placementOf('query{placeOrder}', {})).toBeNull();
    expect(placementOf('mutation{placeOrder(', {})).toBeNull();
    expect(placementOf(undefined, {})).toBeNull();
  });
});

describe('mayHaveReachedOrders', () => {
  const fetchFailed = (code: string) =>
    new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) });

  it('is false only when the request cannot have arrived', () => {
    expect(mayHaveReachedOrders(fetchFailed('ECONNREFUSED'))).toBe(false);
    expect(mayHaveReachedOrders(fetchFailed('UND_ERR_CONNECT_TIMEOUT'))).toBe(false);
    const answered = (status: number) =>
      new GraphQLError('HTTP error', { extensions: { code: 'SUBGRAPH_HTTP_ERROR', status } });
    expect(mayHaveReachedOrders(answered(503))).toBe(false);
    expect(mayHaveReachedOrders(answered(502))).toBe(true);
    expect(mayHaveReachedOrders(answered(504))).toBe(true);
    expect(
      mayHaveReachedOrders(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
    ).toBe(true);
    expect(mayHaveReachedOrders(fetchFailed('ECONNRESET'))).toBe(true);
  });

  it('answers ORDER_PENDING with the key', () => {
    expect(pendingPlacement({ idempotencyKey: 'k-1' }, 'timeout')).toMatchObject({
      code: 'ORDER_PENDING',
      extensions: { idempotencyKey: 'k-1', retryable: true },
    });
  });
});

describe('the subgraph fetch', () => {
  it('gives up at the deadline it is given (the one the data source signs into the request)', async () => {
    const server = http.createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const client = subgraphClient(`http://127.0.0.1:${port}/graphql`);
      const call = client.post({ 'content-type': 'application/json' }, '{}', 300, true);
      await expect(call).rejects.toMatchObject({ name: 'TimeoutError' });
      client.close();
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  /** A subgraph that starts its answer and then does `then` with the response. */
  async function halfAnswer(then: (res: http.ServerResponse) => void, timeoutMs: number) {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"data":');
      then(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = subgraphClient(`http://127.0.0.1:${port}/graphql`);
    try {
      return await client.post({ 'content-type': 'application/json' }, '{}', timeoutMs, true).then(
        () => null,
        (error: unknown) => error as { name?: string; code?: string },
      );
    } finally {
      client.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }

  it('gives up at the deadline when the answer stops halfway', async () => {
    expect(await halfAnswer(() => undefined, 300)).toMatchObject({ name: 'TimeoutError' });
  });

  it('reports an answer cut off halfway as a network failure, not a timeout', async () => {
    const error = await halfAnswer((res) => res.socket?.destroy(), 60_000);
    expect(error).toMatchObject({ code: 'ECONNRESET' });
    expect(error?.name).not.toBe('TimeoutError');
  });
});
