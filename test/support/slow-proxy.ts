// A fault-injecting double in front of a real subgraph: forwards every request unchanged (the
// signature covers the body, not the host), and holds back the answer to requests whose body
// matches a pattern for as long as a test asks.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { freePort } from '../environment';

export interface SlowProxy {
  url: string;
  /** Where requests go (known only once the real subgraph runs). */
  target(url: string): void;
  /**
   * Requests whose body contains `marker` are answered only once `release()` is called: held
   * before they are forwarded, or (`afterForwarding`) forwarded at once and their answer held.
   */
  hold(marker: string, options?: { afterForwarding?: boolean }): void;
  /** Lets every held request (and those to come) through. */
  release(): void;
  /** How many requests are being held right now. */
  held(): number;
  close(): Promise<void>;
}

const readBody = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

export async function startSlowProxy(): Promise<SlowProxy> {
  let target = '';
  let marker: string | null = null;
  let afterForwarding = false;
  let waiting: (() => void)[] = [];
  const port = await freePort();
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const held = marker !== null && body.includes(marker);
      const wait = () => new Promise<void>((resolve) => waiting.push(resolve));
      if (held && !afterForwarding) await wait();
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(
          ([name]) => !['host', 'content-length', 'connection'].includes(name),
        ) as [string, string][],
      );
      const answer = await fetch(new URL(req.url ?? '/', target), {
        method: req.method,
        headers,
        body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
      });
      const answered = Buffer.from(await answer.arrayBuffer());
      if (held && afterForwarding) await wait();
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' });
      res.end(answered);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const releaseAll = () => {
    const now = waiting;
    waiting = [];
    for (const resolve of now) resolve();
  };
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    target: (url) => (target = url),
    hold: (text, options = {}) => {
      marker = text;
      afterForwarding = options.afterForwarding ?? false;
    },
    release: () => {
      marker = null;
      releaseAll();
    },
    held: () => waiting.length,
    close: async () => {
      marker = null;
      releaseAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
