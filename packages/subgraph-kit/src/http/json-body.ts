import type { IncomingMessage } from 'node:http';

/** The largest JSON body /graphql reads (larger: 413, as express.json answers). */
export const GRAPHQL_BODY_LIMIT_BYTES = 1024 * 1024;

const JSON_CONTENT_TYPE = /^application\/json[ \t]*(?:;[ \t]*charset="?utf-8"?[ \t]*)?$/i;
const DIGITS = /^\d+$/;

/**
 * The length of a request body read straight off node:http (the common case of every call the
 * router and other subgraphs send: a UTF-8 JSON body of a declared length within the limit, not
 * compressed), or null when express.json must see it instead (chunked, compressed, another
 * charset or media type, empty, too large: it answers those as before).
 */
export function plainJsonBodyLength(req: IncomingMessage, limit: number): number | null {
  const { headers } = req;
  const declared = headers['content-length'];
  if (declared === undefined || !DIGITS.test(declared) || headers['transfer-encoding'] !== undefined)
    return null;
  const encoding = headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return null;
  const type = headers['content-type'];
  if (type === undefined || !JSON_CONTENT_TYPE.test(type)) return null;
  const length = Number(declared);
  return length > 0 && length <= limit ? length : null;
}

/** The whole body as UTF-8 text; null when the caller went away before sending all of it. */
export function readBodyText(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () =>
      resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')),
    );
    req.once('error', () => resolve(null));
    req.once('close', () => {
      if (!req.complete) resolve(null);
    });
  });
}

/** A body express.json would refuse (400), carried to its error handler with the same fields. */
export interface BodyParseError extends Error {
  status: 400;
  statusCode: 400;
  expose: true;
  type: 'entity.parse.failed';
  body: string;
}

const FIRST_NON_WHITESPACE = /^[ \t\n\r]*([^ \t\n\r]|$)/;

/**
 * Parses a body as express.json (strict) does: a leading byte order mark dropped, an object or an
 * array only. Returns the value, or the error express.json would pass on.
 */
export function parseJsonBody(text: string): { body: unknown } | { error: BodyParseError } {
  const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (json.length === 0) return { body: {} };
  const first = json[0] === '{' || json[0] === '[' ? json[0] : FIRST_NON_WHITESPACE.exec(json)?.[1];
  try {
    if (first !== '{' && first !== '[')
      throw new SyntaxError(`Unexpected token ${first || 'end of input'} in JSON`);
    return { body: JSON.parse(json) as unknown };
  } catch (error) {
    const refused = Object.assign(error instanceof Error ? error : new SyntaxError(String(error)), {
      status: 400 as const,
      statusCode: 400 as const,
      expose: true as const,
      type: 'entity.parse.failed' as const,
      body: json,
    });
    return { error: refused };
  }
}
