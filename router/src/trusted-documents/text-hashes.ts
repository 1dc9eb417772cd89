// The SHA-256 of the query texts clients send, remembered: every request with a text looks its
// hash up in the client's manifest (resolve.ts), and a client sends the same few texts over and
// over. Bounded by the texts' size; a miss only costs the hash.
import { ByteLru } from '../subscriptions/byte-lru';
import { sha256Hex } from './registry';

const MAX_BYTES = 2 * 1024 * 1024;
const hashes = new ByteLru<string>(MAX_BYTES);

/** sha256Hex(text), from the cache when the text was hashed lately. */
export function textSha256Hex(text: string): string {
  const known = hashes.get(text);
  if (known !== undefined) return known;
  const hash = sha256Hex(text);
  // The text (UTF-16) and the 64-character hash, plus the entry's own overhead.
  hashes.set(text, hash, text.length * 2 + 128 + 64);
  return hash;
}
