// The socket client for Flow's subgraphs (src/subgraph-sockets.ts) against raw TCP servers that
// answer as scripted: every way an HTTP/1.1 answer may be framed, split anywhere; kept-alive
// connections reused and dropped when the server closes them; the deadline; cut and malformed
// answers; headers that must not be sent.
import net from 'node:net';
import { AnswerReader, socketSubgraphClient } from '../src/subgraph-sockets';

type Script = (request: string, socket: net.Socket, connection: number) => void;

async function server(script: Script) {
  const sockets = new Set<net.Socket>();
  const requests: string[] = [];
  let connections = 0;
  const tcp = net.createServer((socket) => {
    sockets.add(socket);
    const connection = (connections += 1);
    let pending = '';
    socket.on('data', (data) => {
      pending += data.toString('latin1');
      for (;;) {
        const headEnd = pending.indexOf('\r\n\r\n');
        if (headEnd === -1) return;
        const length = Number(/content-length: (\d+)/i.exec(pending.slice(0, headEnd))?.[1] ?? 0);
        if (pending.length < headEnd + 4 + length) return;
        const request = pending.slice(0, headEnd + 4 + length);
        pending = pending.slice(request.length);
        requests.push(request);
        script(request, socket, connection);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  const { port } = tcp.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    requests,
    connections: () => connections,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => tcp.close(resolve));
    },
  };
}

const json = (body: string, extra = '') =>
  `HTTP/1.1 200 OK\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;

/** Writes `text` one byte at a time (the worst split a client can see). */
function trickle(socket: net.Socket, text: string, then?: () => void) {
  const bytes = Buffer.from(text, 'latin1');
  let i = 0;
  const next = () => {
    if (i >= bytes.length) return then?.();
    socket.write(bytes.subarray(i, (i += 1)), next);
  };
  next();
}

const HEADERS = { 'content-type': 'application/json', 'x-request-id': 'req-1', authorization: 'Bearer t' };
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});
async function setUp(script: Script) {
  const tcp = await server(script);
  const client = socketSubgraphClient(tcp.url);
  cleanups.push(tcp.close, client.close);
  return { tcp, client };
}

describe('socketSubgraphClient', () => {
  it('sends the request as node:http would frame it, and reads a Content-Length answer over one kept-alive connection', async () => {
    const { tcp, client } = await setUp((_request, socket) => socket.write(json('{"data":{"a":"é"}}')));
    for (let i = 0; i < 3; i += 1)
      expect(await client.post(HEADERS, '{"query":"{ a }"}', 5000, true)).toEqual({
        status: 200,
        contentType: 'application/json; charset=utf-8',
        text: '{"data":{"a":"é"}}',
      });
    expect(tcp.connections()).toBe(1);
    const [first] = tcp.requests;
    expect(first).toMatch(/^POST \/graphql HTTP\/1\.1\r\n/);
    expect(first).toContain('\r\ncontent-length: 17\r\n');
    expect(first).toContain('\r\nauthorization: Bearer t\r\n');
    expect(first!.endsWith('\r\n\r\n{"query":"{ a }"}')).toBe(true);
  });

  it('reads answers split anywhere: chunked with extensions and trailers, after a 100 Continue', async () => {
    const body = '{"data":{"long":"' + 'x'.repeat(300) + '"}}';
    const chunked =
      'HTTP/1.1 100 Continue\r\n\r\n' +
      'HTTP/1.1 207 Multi\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n' +
      `a;ext=1\r\n${body.slice(0, 10)}\r\n${(body.length - 10).toString(16)}\r\n${body.slice(10)}\r\n0\r\nx-trailer: 1\r\n\r\n`;
    const { tcp, client } = await setUp((_request, socket) => trickle(socket, chunked));
    expect(await client.post(HEADERS, '{}', 5000, true)).toEqual({
      status: 207,
      contentType: 'application/json',
      text: body,
    });
    expect(await client.post(HEADERS, '{}', 5000, true)).toMatchObject({ status: 207, text: body });
    expect(tcp.connections()).toBe(1);
  });

  it('reads an answer that ends with the connection, and opens a new one for the next call', async () => {
    const { tcp, client } = await setUp((_request, socket) =>
      trickle(
        socket,
        'HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nupstream gone',
        () => socket.end(),
      ),
    );
    expect(await client.post(HEADERS, '{}', 5000, false)).toEqual({
      status: 502,
      contentType: 'text/plain',
      text: 'upstream gone',
    });
    expect(await client.post(HEADERS, '{}', 5000, false)).toMatchObject({ status: 502 });
    expect(tcp.connections()).toBe(2);
  });

  it('drops a kept-alive connection the subgraph closes while it is idle', async () => {
    let sockets: net.Socket[] = [];
    const { tcp, client } = await setUp((_request, socket) => {
      sockets.push(socket);
      socket.write(json('{"data":{}}'));
    });
    await client.post(HEADERS, '{}', 5000, true);
    // The client answers the FIN by closing its side: the server's socket closes fully.
    await Promise.all(
      sockets.map((socket) => {
        const gone = new Promise((resolve) => socket.once('close', resolve));
        socket.end();
        return gone;
      }),
    );
    sockets = [];
    expect(await client.post(HEADERS, '{}', 5000, true)).toMatchObject({ status: 200 });
    expect(tcp.connections()).toBe(2);
  });

  it('sends a query once more when a reused connection turns out closed, never a mutation', async () => {
    let answered = 0;
    const { tcp, client } = await setUp((_request, socket, connection) => {
      answered += 1;
      // The first connection answers once, then resets the next request on it.
      if (connection === 1 && answered > 1) return void socket.resetAndDestroy();
      socket.write(json('{"data":{}}'));
    });
    await client.post(HEADERS, '{}', 5000, true);
    expect(await client.post(HEADERS, '{}', 5000, true)).toMatchObject({ status: 200 });
    expect(tcp.connections()).toBe(2);

    const mutation = await setUp((_request, socket, connection) => {
      if (connection === 1 && mutation.tcp.requests.length > 1) return void socket.resetAndDestroy();
      socket.write(json('{"data":{}}'));
    });
    await mutation.client.post(HEADERS, '{}', 5000, false);
    await expect(mutation.client.post(HEADERS, '{}', 5000, false)).rejects.toMatchObject({
      code: 'ECONNRESET',
      reusedSocket: true,
    });
    expect(mutation.tcp.requests).toHaveLength(2);
  });

  it('gives up at the deadline with a TimeoutError and leaves no connection behind', async () => {
    const { tcp, client } = await setUp(() => {});
    const started = Date.now();
    await expect(client.post(HEADERS, '{}', 150, true)).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(tcp.connections()).toBe(1);
  });

  it('refuses a cut answer and one that is not HTTP', async () => {
    const cut = await setUp((_request, socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{"partial"');
      socket.end();
    });
    await expect(cut.client.post(HEADERS, '{}', 5000, false)).rejects.toMatchObject({ code: 'ECONNRESET' });
    const garbage = await setUp((_request, socket) => socket.write('SSH-2.0-OpenSSH\r\n\r\n'));
    await expect(garbage.client.post(HEADERS, '{}', 5000, false)).rejects.toMatchObject({ code: 'EPROTO' });
    const refused = socketSubgraphClient('http://127.0.0.1:1/graphql');
    cleanups.push(refused.close);
    await expect(refused.post(HEADERS, '{}', 5000, false)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('refuses a header value with a line break and a bad header name, before sending anything', async () => {
    const { tcp, client } = await setUp((_request, socket) => socket.write(json('{}')));
    await expect(
      client.post({ ...HEADERS, 'x-evil': 'a\r\nx-injected: 1' }, '{}', 5000, false),
    ).rejects.toThrow(TypeError);
    await expect(client.post({ 'bad name': 'x' }, '{}', 5000, false)).rejects.toThrow(TypeError);
    expect(tcp.requests).toHaveLength(0);
  });
});

describe('AnswerReader', () => {
  it('keeps a connection only when the answer says it may', () => {
    const close = new AnswerReader();
    expect(
      close.feed(Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n')),
    ).toMatchObject({ status: 200 });
    expect(close.reusable).toBe(false);
    const old = new AnswerReader();
    old.feed(Buffer.from('HTTP/1.0 200 OK\r\ncontent-length: 2\r\n\r\n{}'));
    expect(old.reusable).toBe(false);
    const extra = new AnswerReader();
    extra.feed(Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}garbage'));
    expect(extra.reusable).toBe(false);
    const conflicting = new AnswerReader();
    expect(() =>
      conflicting.feed(Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\n')),
    ).toThrow(/Content-Length/);
  });
});
