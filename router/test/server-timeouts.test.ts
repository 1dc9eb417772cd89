// Issue 10, item 8: 200 half-sent requests (unfinished headers or body) were all still open after
// 130 s. The router's HTTP server now cuts off a request not received within its timeouts, and
// refuses connections beyond its cap; upgraded WebSockets (long-lived by design) are untouched.
import net from 'node:net';
import WebSocket from 'ws';
import type { RunningRouter } from '../src/router';
import { signToken, startRouterFixture, type RouterFixture, type SigningKey } from './support';

let fixture: RouterFixture;
let key: SigningKey;
const sockets: net.Socket[] = [];

beforeAll(async () => {
  fixture = await startRouterFixture('timeouts-key', { production: true });
  key = fixture.key;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await fixture?.stop();
});

function router(env: Record<string, string>): Promise<RunningRouter> {
  return fixture.startRouter({ FLOW_ENV: 'production', ...env });
}

interface RawConnection {
  socket: net.Socket;
  received: () => string;
  closed: Promise<void>;
}

/** A TCP connection to the router that writes `text` and then nothing more. */
async function connect(port: number, text = ''): Promise<RawConnection> {
  const socket = net.connect(port, '127.0.0.1');
  sockets.push(socket);
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
  socket.on('error', () => undefined); // a reset is one of the ways a refused connection ends
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  if (text) socket.write(text);
  return { socket, received: () => received, closed };
}

const UNFINISHED_HEADERS = 'POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n';
const UNFINISHED_BODY =
  'POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"query":"{ __typ';

it('closes 200 half-sent requests (unfinished headers, unfinished body), and leaves a WebSocket open', async () => {
  const running = await router({
    HTTP_HEADERS_TIMEOUT_MS: '500',
    HTTP_REQUEST_TIMEOUT_MS: '1000',
    HTTP_KEEP_ALIVE_TIMEOUT_MS: '500',
  });
  const { port } = running;

  // A subscription-capable socket, open before the attack and meant to outlive it.
  const ws = new WebSocket(`ws://127.0.0.1:${port}/graphql`, 'graphql-transport-ws');
  const messages: { id?: string; type: string; payload?: unknown }[] = [];
  let wsClosed = false;
  ws.on('close', () => (wsClosed = true));
  const acked = new Promise<void>((resolve) =>
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as (typeof messages)[number];
      messages.push(message);
      if (message.type === 'connection_ack') resolve();
    }),
  );
  await new Promise((resolve) => ws.once('open', resolve));
  ws.send(
    JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${await signToken(key)}` } }),
  );
  await acked;

  const halfSent = await Promise.all(
    Array.from({ length: 200 }, (_, i) => connect(port, i % 2 === 0 ? UNFINISHED_HEADERS : UNFINISHED_BODY)),
  );
  // Every one is closed by the server (the client never ends them); jest's timeout bounds the wait.
  await Promise.all(halfSent.map((connection) => connection.closed));
  const timedOut = halfSent.filter((connection) => connection.received().startsWith('HTTP/1.1 408'));
  expect(timedOut.length).toBe(200);

  // The WebSocket lived through all of it, past the request timeout, and still answers.
  expect(wsClosed).toBe(false);
  const answered = new Promise<void>((resolve) =>
    ws.on('message', (data) => {
      if ((JSON.parse(data.toString()) as { id?: string }).id === 'after') resolve();
    }),
  );
  ws.send(JSON.stringify({ id: 'after', type: 'subscribe', payload: { query: '{ __typename }' } }));
  await answered;
  ws.close();
}, 30_000);

it('refuses connections beyond HTTP_MAX_CONNECTIONS and accepts again once some close', async () => {
  const running = await router({ HTTP_MAX_CONNECTIONS: '10' });
  // Ten connections, each known to the server (it answered one request on each), kept alive.
  const held = await Promise.all(Array.from({ length: 10 }, () => connect(running.port)));
  await Promise.all(
    held.map(async (connection) => {
      connection.socket.write('GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      while (!connection.received().includes('\r\n\r\n'))
        await new Promise((resolve) => connection.socket.once('data', resolve));
    }),
  );

  // The eleventh is accepted by the kernel, then closed by the server before any answer.
  const refused = await connect(running.port, 'GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  await refused.closed;
  expect(refused.received()).toBe('');

  held[0]!.socket.destroy();
  await held[0]!.closed;
  // The server sees the close asynchronously: retry until a new connection is served.
  for (;;) {
    const again = await connect(
      running.port,
      'GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
    );
    await again.closed;
    if (again.received().startsWith('HTTP/1.1 200')) break;
  }
}, 30_000);
