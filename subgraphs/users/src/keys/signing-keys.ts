import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';

/**
 * A signing key of the users subgraph. Rotation: a new key is added with `activatesAt` in the
 * future. It is published in the JWKS at once but signs nothing until then, so every verifier
 * has seen it before the first token signed with it arrives. Older keys stay published until
 * the tokens they signed have expired; `pruneRetiredKeys` drops them after that.
 */
type SigningKeyMaterial = Awaited<ReturnType<typeof importJWK>>;

export interface StoredSigningKey {
  kid: string;
  alg: 'EdDSA';
  createdAt: string;
  activatesAt: string;
  privateJwk: JWK;
}

export interface SigningKeySet {
  keys: StoredSigningKey[];
}

export interface ActiveSigningKey {
  kid: string;
  alg: 'EdDSA';
  key: SigningKeyMaterial;
}

export async function createSigningKey(activatesAt: Date, now: Date = new Date()): Promise<StoredSigningKey> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const privateJwk = await exportJWK(privateKey);
  return {
    kid: `${now.toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`,
    alg: 'EdDSA',
    createdAt: now.toISOString(),
    activatesAt: activatesAt.toISOString(),
    privateJwk,
  };
}

export function parseKeySet(json: string): SigningKeySet {
  const parsed = JSON.parse(json) as SigningKeySet;
  if (!Array.isArray(parsed.keys) || parsed.keys.length === 0) throw new Error('signing key set has no keys');
  for (const key of parsed.keys) {
    if (!key.kid || key.alg !== 'EdDSA' || !key.privateJwk?.d || Number.isNaN(Date.parse(key.activatesAt))) {
      throw new Error(`signing key ${key.kid ?? '(no kid)'} is malformed`);
    }
  }
  return parsed;
}

/** The newest key already active at `now`: the one that signs. */
export function activeKeyOf(set: SigningKeySet, now: Date): StoredSigningKey {
  const active = set.keys
    .filter((k) => Date.parse(k.activatesAt) <= now.getTime())
    .sort((a, b) => Date.parse(b.activatesAt) - Date.parse(a.activatesAt))[0];
  if (!active) throw new Error('no signing key is active yet');
  return active;
}

/** Public halves of every key in the set, active or not yet active. */
export function publicJwks(set: SigningKeySet): { keys: JWK[] } {
  return {
    keys: set.keys.map(({ kid, alg, privateJwk }) => {
      const { d: _private, ...publicJwk } = privateJwk;
      return { ...publicJwk, kid, alg, use: 'sig' };
    }),
  };
}

/** Adds a key that starts signing after `publishFor`; verifiers pick it up from the JWKS meanwhile. */
export async function rotate(
  set: SigningKeySet,
  publishForSeconds: number,
  now: Date = new Date(),
): Promise<SigningKeySet> {
  const next = await createSigningKey(new Date(now.getTime() + publishForSeconds * 1000), now);
  return { keys: [...set.keys, next] };
}

/**
 * Drops keys that can no longer have signed a live token: those replaced by a newer active key
 * more than `tokenLifetimeSeconds` ago.
 */
export function pruneRetiredKeys(
  set: SigningKeySet,
  tokenLifetimeSeconds: number,
  now: Date = new Date(),
): SigningKeySet {
  const byActivation = [...set.keys].sort((a, b) => Date.parse(a.activatesAt) - Date.parse(b.activatesAt));
  const keep = byActivation.filter((key, index) => {
    const successor = byActivation[index + 1];
    if (!successor) return true;
    const replacedAt = Date.parse(successor.activatesAt);
    return replacedAt > now.getTime() || now.getTime() - replacedAt <= tokenLifetimeSeconds * 1000;
  });
  return { keys: keep };
}

/**
 * Holds the key set, re-reading its file when it changes, so a rotation written by
 * `npm run keys:rotate` takes effect without a restart.
 */
export class SigningKeyStore {
  private set: SigningKeySet;
  private fileMtime = 0;
  private readonly imported = new Map<string, SigningKeyMaterial>();

  private constructor(
    initial: SigningKeySet,
    private readonly file: string | undefined,
    private readonly clock: () => Date,
  ) {
    this.set = initial;
    if (file) this.fileMtime = statSync(file).mtimeMs;
  }

  /** From JSON configuration, or from a file that is created (with one key) when missing. */
  static async open(options: { json?: string; file?: string; createIfMissing: boolean; clock?: () => Date }) {
    const clock = options.clock ?? (() => new Date());
    if (options.json) return new SigningKeyStore(parseKeySet(options.json), undefined, clock);
    const file = options.file;
    if (!file) throw new Error('no signing keys configured');
    if (!existsSync(file)) {
      if (!options.createIfMissing) throw new Error(`signing key file ${file} does not exist`);
      mkdirSync(dirname(file), { recursive: true });
      const first: SigningKeySet = { keys: [await createSigningKey(new Date(0), clock())] };
      writeFileSync(file, JSON.stringify(first, null, 2), { mode: 0o600 });
    }
    return new SigningKeyStore(parseKeySet(readFileSync(file, 'utf8')), file, clock);
  }

  private refresh() {
    if (!this.file) return;
    const mtime = statSync(this.file).mtimeMs;
    if (mtime === this.fileMtime) return;
    this.set = parseKeySet(readFileSync(this.file, 'utf8'));
    this.fileMtime = mtime;
  }

  jwks() {
    this.refresh();
    return publicJwks(this.set);
  }

  async signingKey(): Promise<ActiveSigningKey> {
    this.refresh();
    const stored = activeKeyOf(this.set, this.clock());
    let key = this.imported.get(stored.kid);
    if (!key) {
      key = await importJWK(stored.privateJwk, stored.alg);
      this.imported.set(stored.kid, key);
    }
    return { kid: stored.kid, alg: stored.alg, key };
  }
}
