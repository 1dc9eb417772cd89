// The WebSocket transport's connection rules, against the router alone (users-only supergraph):
// tokens checked in connection_init, closed when they expire, protocol errors, shutdown.
import WebSocket from 'ws';
import type { RunningRouter } from '../src/router';
import {
  newSigningKey,
  signToken,
  startRouterFixture,
  startTestRouter,
  type RouterFixture,
  type SigningKey,
} from './support';

let fixture: RouterFixture;
let key: SigningKey;
let router: RunningRouter;

beforeAll(async () => {
  fixture = await startRouterFixture('ws-key', { production: false });
  key = fixture.key;
  router = await fixture.startRouter();
});

afterAll(() => fixture?.stop());

interface Socket {
  socket: WebSocket;
  messages: { type: string; payload?: unknown }[];
  closed: Promise<{ code: number; reason: string }>;
  acked: Promise<void>;
}

function open(url: string, init?: Record<string, unknown>): Socket {
  const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
  const messages: Socket['messages'] = [];
  let ack!: () => void;
  const acked = new Promise<void>((resolve) => (ack = resolve));
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString()) as Socket['messages'][number];
    messages.push(message);
    if (message.type === 'connection_ack') ack();
  });
  if (init) socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: init })));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return { socket, messages, closed, acked };
}

it('acknowledges a valid token and answers a query over the socket', async () => {
  const token = await signToken(key);
  const ws = open(router.url, { authorization: `Bearer ${token}` });
  await ws.acked;
  ws.socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: '{ __typename }' } }));
  await new Promise((r) => setTimeout(r, 300));
  expect(ws.messages).toContainEqual({
    id: '1',
    type: 'next',
    payload: { data: { __typename: 'Query' }, extensions: { cost: { estimated: 0, maximum: 2_500 } } },
  });
  ws.socket.close();
});

it('closes with 4403 when the token expires', async () => {
  const token = await signToken(key, { expiresIn: 2 });
  const ws = open(router.url, { authorization: `Bearer ${token}` });
  await ws.acked;
  const started = Date.now();
  expect(await ws.closed).toEqual({ code: 4403, reason: 'Token expired: reconnect with a fresh one' });
  expect(Date.now() - started).toBeLessThan(4000);
});

it('closes with 4403 for an expired or foreign token, and 4400 for a malformed message', async () => {
  const expired = await signToken(key, { expiresIn: -60 });
  expect((await open(router.url, { authorization: `Bearer ${expired}` }).closed).code).toBe(4403);
  const other = await signToken(await newSigningKey('not-published'));
  expect((await open(router.url, { authorization: `Bearer ${other}` }).closed).code).toBe(4403);
  const ws = open(router.url);
  ws.socket.on('open', () => ws.socket.send('{"type":"nonsense"}'));
  expect((await ws.closed).code).toBe(4400);
});

it('closes every socket with 1001 (going away) when it stops', async () => {
  const own = await startTestRouter(fixture.usersEnv);
  const ws = open(own.url, { authorization: `Bearer ${await signToken(key)}` });
  await ws.acked;
  await own.stop();
  expect((await ws.closed).code).toBe(1001);
});
