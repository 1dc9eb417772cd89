// The router's client for Flow's own subgraphs over plain HTTP: HTTP/1.1 on kept-alive sockets it
// pools itself, each request written as one string, each answer parsed here (status line, headers,
// a body by Content-Length, chunked, or up to the close). node:http's ClientRequest, agent and
// IncomingMessage machinery were a fifth of the router's CPU on a one-subgraph query (README
// "Performance → Router"). Behaves as subgraph-http.ts does: the same answer, the same deadline
// (TimeoutError), errors with the socket's code and `reusedSocket`, so a query on a kept-alive
// connection the subgraph had closed is sent once more. https: and subgraphs that are not Flow's
// keep subgraph-http.ts. router/test/subgraph-sockets.test.ts runs it against raw TCP servers.
import net from 'node:net';
import {
  sentOnceMoreIfClosed,
  timeoutError,
  type SubgraphAnswer,
  type SubgraphClient,
} from './subgraph-http';

const cutOff = () => Object.assign(new Error('the answer was cut off'), { code: 'ECONNRESET' });
const malformed = (what: string) =>
  Object.assign(new Error(`the subgraph's answer is not valid HTTP: ${what}`), { code: 'EPROTO' });

/** Most bytes of an answer's status line and headers. */
const MAX_HEAD = 64 * 1024;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FORBIDDEN_IN_VALUE = /[\r\n\0]/;

/** An answer being read: its head, then its body by length, by chunks or up to the close. */
export class AnswerReader {
  private buffer: Buffer = Buffer.alloc(0);
  private status = 0;
  private contentType = '';
  private mode: 'head' | 'length' | 'chunked' | 'close' = 'head';
  private length = 0;
  private readonly chunks: Buffer[] = [];
  /** Whether the connection may carry another request after this answer. */
  reusable = true;

  /** Feeds bytes; the answer once complete, else undefined. Throws on what is not HTTP/1.1. */
  feed(data: Buffer): SubgraphAnswer | undefined {
    this.buffer = this.buffer.length === 0 ? data : Buffer.concat([this.buffer, data]);
    for (;;) {
      if (this.mode === 'head') {
        const end = this.buffer.indexOf('\r\n\r\n');
        if (end === -1) {
          if (this.buffer.length > MAX_HEAD) throw malformed('headers too large');
          return undefined;
        }
        const head = this.buffer.toString('latin1', 0, end);
        this.buffer = this.buffer.subarray(end + 4);
        if (this.readHead(head)) continue; // a 1xx: the answer follows
      }
      if (this.mode === 'length') {
        if (this.buffer.length < this.length) return undefined;
        if (this.buffer.length > this.length) this.reusable = false; // bytes nobody asked for
        return this.answer(this.buffer.subarray(0, this.length));
      }
      if (this.mode === 'chunked') {
        const done = this.readChunks();
        return done ? this.answer(Buffer.concat(this.chunks)) : undefined;
      }
      return undefined; // 'close': the body ends with the connection
    }
  }

  /** The connection ended: the answer when its body runs to the close, else undefined. */
  ended(): SubgraphAnswer | undefined {
    return this.mode === 'close' ? this.answer(this.buffer) : undefined;
  }

  /** Reads a head; true for an interim (1xx) answer. */
  private readHead(head: string): boolean {
    const lines = head.split('\r\n');
    const status = /^HTTP\/1\.([01]) (\d{3})(?: |$)/.exec(lines[0] ?? '');
    if (!status) throw malformed(`status line ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
    const code = Number(status[2]);
    if (code >= 100 && code < 200) return true;
    this.status = code;
    if (status[1] === '0') this.reusable = false;
    let length: number | undefined;
    let chunked = false;
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) throw malformed('a header line without a name');
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'content-length') {
        if (!/^\d+$/.test(value) || (length !== undefined && length !== Number(value)))
          throw malformed('Content-Length');
        length = Number(value);
      } else if (name === 'transfer-encoding')
        chunked = value.toLowerCase().split(',').pop()!.trim() === 'chunked';
      else if (name === 'connection') {
        const options = value.toLowerCase();
        if (options.includes('close')) this.reusable = false;
        else if (options.includes('keep-alive') && status[1] === '0') this.reusable = true;
      } else if (name === 'content-type') this.contentType = value;
    }
    if (code === 204 || code === 304) {
      this.mode = 'length';
      this.length = 0;
    } else if (chunked) this.mode = 'chunked';
    else if (length !== undefined) {
      this.mode = 'length';
      this.length = length;
    } else {
      this.mode = 'close';
      this.reusable = false;
    }
    return false;
  }

  /** Reads whole chunks from the buffer; true after the last one and its trailers. */
  private readChunks(): boolean {
    for (;;) {
      const lineEnd = this.buffer.indexOf('\r\n');
      if (lineEnd === -1) {
        if (this.buffer.length > MAX_HEAD) throw malformed('chunk size line too long');
        return false;
      }
      const sizeText = this.buffer.toString('latin1', 0, lineEnd).split(';')[0]!.trim();
      if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw malformed('chunk size');
      const size = parseInt(sizeText, 16);
      if (size === 0) {
        // Trailers, if any, then an empty line.
        const rest = lineEnd + 2;
        if (this.buffer.length < rest + 2) return false;
        let after: number;
        if (this.buffer.toString('latin1', rest, rest + 2) === '\r\n') after = rest + 2;
        else {
          const end = this.buffer.indexOf('\r\n\r\n', rest);
          if (end === -1) return false;
          after = end + 4;
        }
        if (this.buffer.length > after) this.reusable = false;
        return true;
      }
      const start = lineEnd + 2;
      if (this.buffer.length < start + size + 2) return false;
      if (this.buffer.toString('latin1', start + size, start + size + 2) !== '\r\n')
        throw malformed('chunk without its line end');
      this.chunks.push(this.buffer.subarray(start, start + size));
      this.buffer = this.buffer.subarray(start + size + 2);
    }
  }

  private answer(body: Buffer): SubgraphAnswer {
    return { status: this.status, contentType: this.contentType, text: body.toString('utf8') };
  }
}

/** The request's head: a header with a bad name or a line break in its value is refused, as node:http does. */
function requestHead(path: string, host: string, headers: Record<string, string>, length: number): string {
  let head = `POST ${path} HTTP/1.1\r\nhost: ${host}\r\nconnection: keep-alive\r\ncontent-length: ${length}\r\n`;
  for (const name in headers) {
    const value = headers[name]!;
    const lower = name.toLowerCase();
    if (lower === 'host' || lower === 'connection' || lower === 'content-length') continue;
    if (!TOKEN.test(name)) throw new TypeError(`Invalid header name: ${JSON.stringify(name)}`);
    if (FORBIDDEN_IN_VALUE.test(value)) throw new TypeError(`Invalid character in header "${name}"`);
    head += `${name}: ${value}\r\n`;
  }
  return `${head}\r\n`;
}

export function socketSubgraphClient(url: string): SubgraphClient {
  const target = new URL(url);
  if (target.protocol !== 'http:') throw new Error(`socketSubgraphClient serves http: URLs only, not ${url}`);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const port = Number(target.port || 80);
  const path = target.pathname + target.search;
  const idle: net.Socket[] = [];
  const open = new Set<net.Socket>();
  let closed = false;

  const forget = (socket: net.Socket) => {
    open.delete(socket);
    const at = idle.indexOf(socket);
    if (at !== -1) idle.splice(at, 1);
  };
  // An idle connection the subgraph closes (its keep-alive timeout) leaves the pool.
  const onIdleGone = function (this: net.Socket) {
    forget(this);
    this.destroy();
  };
  const park = (socket: net.Socket) => {
    if (closed) return void socket.destroy();
    socket.on('end', onIdleGone).on('close', onIdleGone).on('error', onIdleGone);
    idle.push(socket);
  };
  const take = (): { socket: net.Socket; reused: boolean } => {
    for (let socket = idle.pop(); socket; socket = idle.pop()) {
      socket.off('end', onIdleGone).off('close', onIdleGone).off('error', onIdleGone);
      if (!socket.destroyed && socket.writable) return { socket, reused: true };
      forget(socket);
    }
    const socket = net.connect({ host, port, noDelay: true });
    open.add(socket);
    return { socket, reused: false };
  };

  const once = (headers: Record<string, string>, body: string, deadline: number) =>
    new Promise<SubgraphAnswer>((resolve, reject) => {
      const head = requestHead(path, target.host, headers, Buffer.byteLength(body));
      const { socket, reused } = take();
      const reader = new AnswerReader();
      let settled = false;
      const settle = (error: Error | null, answer?: SubgraphAnswer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
        if (error) {
          forget(socket);
          socket.destroy();
          return reject(error);
        }
        if (reader.reusable && !closed) park(socket);
        else {
          forget(socket);
          socket.destroy();
        }
        resolve(answer!);
      };
      const fail = (error: Error) => settle(Object.assign(error, { reusedSocket: reused }));
      const onData = (data: Buffer) => {
        try {
          const answer = reader.feed(data);
          if (answer) settle(null, answer);
        } catch (error) {
          fail(error as Error);
        }
      };
      const onEnd = () => {
        const answer = reader.ended();
        if (answer) settle(null, answer);
        else fail(cutOff());
      };
      const onError = (error: Error) => fail(error);
      const onClose = () => onEnd();
      const timer = setTimeout(() => settle(timeoutError()), Math.max(1, deadline - Date.now()));
      socket.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
      socket.write(head + body);
    });

  return {
    post: sentOnceMoreIfClosed(once),
    close: () => {
      closed = true;
      for (const socket of open) socket.destroy();
      open.clear();
      idle.length = 0;
    },
  };
}
