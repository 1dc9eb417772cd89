// createHttpServer makes an Express application's requests and responses with its prototypes, so
// that Express's own `Object.setPrototypeOf` on each of them changes nothing (server-policy.ts:
// an object whose prototype changes is kept through V8's young collections).
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createHttpServer } from '../src/http/server-policy';

async function served(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const close = (server: Server) => new Promise((resolve) => server.close(resolve));

/** What each request's and response's prototype was before any listener ran. */
function prototypesOnArrival(server: Server) {
  const seen: Array<{ request: object | null; response: object | null }> = [];
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) =>
    seen.push({
      request: Object.getPrototypeOf(req) as object,
      response: Object.getPrototypeOf(res) as object,
    }),
  );
  return seen;
}

function application() {
  const app = express();
  app.get('/who', (req, res) => {
    res.status(201).json({ path: req.path, ip: typeof req.ip, same: req.app === app, id: req.get('x-id') });
  });
  return app;
}

describe('createHttpServer', () => {
  it('makes an Express application’s requests and responses with its prototypes, and Express serves them', async () => {
    const app = application();
    const server = createHttpServer(app);
    const seen = prototypesOnArrival(server);
    const url = await served(server);
    try {
      const response = await fetch(`${url}/who?x=1`, { headers: { 'x-id': 'abc' } });
      expect(response.status).toBe(201);
      expect(await response.json()).toEqual({ path: '/who', ip: 'string', same: true, id: 'abc' });
      const missing = await fetch(`${url}/nope`, { method: 'POST', body: 'x' });
      expect(missing.status).toBe(404);
      await missing.text();
    } finally {
      await close(server);
    }
    expect(seen).toHaveLength(2);
    for (const arrival of seen) expect(arrival).toEqual({ request: app.request, response: app.response });
  });

  it('takes the prototypes of the Express application behind a listener of its own', async () => {
    const app = application();
    const server = createHttpServer((req, res) => app(req, res), undefined, app);
    const seen = prototypesOnArrival(server);
    const url = await served(server);
    try {
      const response = await fetch(`${url}/who`);
      expect(await response.json()).toMatchObject({ path: '/who', same: true });
    } finally {
      await close(server);
    }
    expect(seen).toEqual([{ request: app.request, response: app.response }]);
  });

  it('keeps Node’s own classes for a plain listener', async () => {
    const server = createHttpServer((_req, res) => res.end('plain'));
    const seen = prototypesOnArrival(server);
    const url = await served(server);
    try {
      expect(await (await fetch(url)).text()).toBe('plain');
    } finally {
      await close(server);
    }
    const http = await import('node:http');
    expect(seen).toEqual([
      { request: http.IncomingMessage.prototype, response: http.ServerResponse.prototype },
    ]);
  });
});
