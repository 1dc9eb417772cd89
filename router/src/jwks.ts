// GET /.well-known/jwks.json: the users subgraph's public keys, re-exposed on the public endpoint
// so clients and partners can verify tokens without reaching an internal service. Cached briefly;
// when users is unreachable the last good copy is served, and only public key members pass.
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from '@flow/core';

export const JWKS_PROXY_MAX_AGE_SECONDS = 60;

/** RFC 7517/7518 public members; anything else (d, p, q, dp, dq, qi, k, oth...) is dropped. */
const PUBLIC_MEMBERS = [
  'kty',
  'kid',
  'use',
  'alg',
  'key_ops',
  'crv',
  'x',
  'y',
  'n',
  'e',
  'x5c',
  'x5t',
  'x5t#S256',
  'x5u',
];
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

export function publicKeySet(value: unknown, logger: Logger): { keys: Record<string, unknown>[] } {
  if (!value || typeof value !== 'object' || !Array.isArray((value as { keys?: unknown }).keys)) {
    throw new Error('the users JWKS is not a JSON Web Key Set');
  }
  const keys: Record<string, unknown>[] = [];
  for (const key of (value as { keys: unknown[] }).keys) {
    if (!key || typeof key !== 'object') continue;
    const record = key as Record<string, unknown>;
    if (PRIVATE_MEMBERS.some((member) => member in record)) {
      logger.error(
        { kid: record.kid },
        'the users JWKS publishes private or symmetric key material; that key is not re-exposed',
      );
      continue;
    }
    keys.push(
      Object.fromEntries(
        PUBLIC_MEMBERS.filter((member) => member in record).map((member) => [member, record[member]]),
      ),
    );
  }
  return { keys };
}

export function jwksProxy(
  jwksUrl: string,
  logger: Logger,
  maxAgeSeconds = JWKS_PROXY_MAX_AGE_SECONDS,
): RequestHandler {
  let cached: { body: string; fetchedAt: number } | undefined;
  let pending: Promise<void> | undefined;

  const refresh = () => {
    pending ??= (async () => {
      try {
        const response = await fetch(jwksUrl, {
          signal: AbortSignal.timeout(3000),
          redirect: 'error',
          headers: { accept: 'application/json' },
        });
        if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
        cached = { body: JSON.stringify(publicKeySet(await response.json(), logger)), fetchedAt: Date.now() };
      } finally {
        pending = undefined;
      }
    })();
    return pending;
  };

  return async (_req: Request, res: Response) => {
    if (!cached || Date.now() - cached.fetchedAt > maxAgeSeconds * 1000) {
      try {
        await refresh();
      } catch (error) {
        logger.warn({ err: error, jwksUrl }, 'could not fetch the users JWKS');
      }
    }
    const current = cached;
    if (!current) {
      res.status(503).set('retry-after', '5').json({ error: 'signing keys unavailable' });
      return;
    }
    res.set('cache-control', `public, max-age=${maxAgeSeconds}`);
    res.type('application/jwk-set+json').send(current.body);
  };
}
