import { createHash, randomBytes } from 'node:crypto';

/** Opaque, high-entropy refresh tokens; only their SHA-256 is stored. */
export const REFRESH_TOKEN_PREFIX = 'frt_';

export function newRefreshToken(): { token: string; hash: string } {
  const token = `${REFRESH_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashRefreshToken(token) };
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
