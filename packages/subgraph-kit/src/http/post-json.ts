import http from 'node:http';
import https from 'node:https';

/** A dependency's answer: its status, and its body as JSON (null if not JSON, or after a 5xx). */
export interface JsonAnswer {
  status: number;
  body: unknown;
}

/** Sends one JSON POST; rejects on a network failure or when `signal` aborts it. */
export type PostJson = (
  headers: Record<string, string>,
  body: string,
  signal: AbortSignal,
) => Promise<JsonAnswer>;

/**
 * POSTs to one URL over node:http with kept-alive connections of its own. A call between two
 * subgraphs is small and frequent: the global fetch (undici, web streams) costs the caller about
 * as much CPU as the rest of its request, and writes the headers and the body apart.
 */
export function postJsonTo(url: string): PostJson {
  const target = new URL(url);
  const transport = target.protocol === 'https:' ? https : http;
  const agent = new transport.Agent({ keepAlive: true });
  return (headers, body, signal) =>
    new Promise<JsonAnswer>((resolve, reject) => {
      const request = transport.request(
        target,
        {
          method: 'POST',
          agent,
          signal,
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        },
        (response) => {
          const status = response.statusCode ?? 0;
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          // An answer cut off (aborted, connection lost) closes without its end: a failure.
          response.on('close', () => {
            if (!response.complete) reject(new Error('the answer was cut off'));
          });
          response.on('end', () => {
            if (status >= 500) return resolve({ status, body: null });
            try {
              resolve({ status, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
            } catch {
              resolve({ status, body: null });
            }
          });
        },
      );
      request.on('error', reject);
      request.end(body);
    });
}

/** The same over a given fetch (tests put themselves between caller and callee this way). */
export function postJsonWith(fetchImpl: typeof fetch, url: string): PostJson {
  return async (headers, body, signal) => {
    const response = await fetchImpl(url, { method: 'POST', headers, body, signal });
    if (response.status >= 500) {
      await response.body?.cancel();
      return { status: response.status, body: null };
    }
    return { status: response.status, body: await response.json().catch(() => null) };
  };
}
