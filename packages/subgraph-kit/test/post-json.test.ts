import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { until } from '@flow/testing';
import { postJsonTo } from '../src/http/post-json';

// How a subgraph calls another over HTTP: kept-alive connections, and every way an answer can
// fail (cut off, aborted, not JSON, 5xx) told apart from a good one.
let server: http.Server;
let url: string;
let connections = 0;
let answer: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => answer(req, res, body));
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const never = () => new AbortController().signal;

test('sends the body and headers, parses the JSON answer, and keeps one connection for calls in turn', async () => {
  answer = (req, res, body) =>
    res
      .setHeader('content-type', 'application/json')
      .end(JSON.stringify({ echo: JSON.parse(body), h: req.headers['x-h'] }));
  const post = postJsonTo(url);
  const before = connections;
  for (let i = 0; i < 5; i++)
    await expect(
      post({ 'content-type': 'application/json', 'x-h': 'v' }, JSON.stringify({ i }), never()),
    ).resolves.toEqual({
      status: 200,
      body: { echo: { i }, h: 'v' },
    });
  expect(connections - before).toBe(1);
});

test('a 5xx or an answer that is not JSON has no body', async () => {
  const post = postJsonTo(url);
  answer = (_req, res) => res.writeHead(503).end('{"data":{}}');
  await expect(post({}, '{}', never())).resolves.toEqual({ status: 503, body: null });
  answer = (_req, res) => res.writeHead(200).end('<html>');
  await expect(post({}, '{}', never())).resolves.toEqual({ status: 200, body: null });
});

test('an answer cut off halfway is a failure, not an answer', async () => {
  answer = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
    res.write('{"data":');
    setImmediate(() => res.destroy());
  };
  await expect(postJsonTo(url)({}, '{}', never())).rejects.toThrow();
});

test('an aborted call rejects at once, whether waiting for the answer or not yet sent', async () => {
  let received = 0;
  answer = () => received++; // never answers
  const controller = new AbortController();
  const pending = postJsonTo(url)({}, '{}', controller.signal);
  await until(() => received > 0, 'the request to arrive');
  controller.abort();
  await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  await expect(postJsonTo(url)({}, '{}', AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
});
