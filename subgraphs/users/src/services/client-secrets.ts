import { createHash, randomBytes } from 'node:crypto';

/** Recognisable in logs and secret scanners, like refresh tokens' `frt_`. */
export const CLIENT_SECRET_PREFIX = 'fcs_';

/**
 * A client secret is 256 random bits, so nobody can guess it from its hash however fast the hash
 * is: a plain SHA-256 (as for refresh tokens) is enough and lets the grant find the secret by an
 * indexed lookup. scrypt's slowness protects guessable passwords, which these are not.
 */
export function newClientSecret(): { secret: string; hash: string } {
  const secret = `${CLIENT_SECRET_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { secret, hash: hashClientSecret(secret) };
}

export function hashClientSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
