import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const KEY_LENGTH = 32;

export type DeriveKey = (password: string, salt: Buffer, options: ScryptOptions) => Promise<Buffer>;

function scrypt(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCallback(password.normalize('NFKC'), salt, KEY_LENGTH, options, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/** Runs at most `limit` tasks at a time, the rest in arrival order. */
class Gate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    // A finishing task hands its place straight to the next one waiting.
    if (this.running < this.limit) this.running += 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}

/**
 * scrypt (memory-hard): `scrypt$<log2N>$<r>$<p>$<salt>$<hash>`. The parameters live in the hash,
 * so raising the cost later leaves existing hashes verifiable.
 *
 * Each derivation holds 128·N·r bytes while it runs (32 MB at the default cost), on one of libuv's
 * four threads: `concurrency` of them at a time bounds that memory (a burst of sign-ins would take
 * 128 MB at once otherwise) and leaves threads to the rest of the process. The others wait their
 * turn; a sign-in flood is the router's sign-in throttle's to stop.
 */
export class PasswordHasher {
  private readonly gate: Gate;
  private readonly derive: DeriveKey;

  constructor(
    private readonly log2Cost: number,
    { concurrency = 2, derive = scrypt }: { concurrency?: number; derive?: DeriveKey } = {},
  ) {
    this.gate = new Gate(concurrency);
    this.derive = derive;
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const options = this.options(this.log2Cost, 8, 1);
    const key = await this.gate.run(() => this.derive(password, salt, options));
    return ['scrypt', this.log2Cost, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$');
  }

  async verify(password: string, stored: string): Promise<boolean> {
    const [scheme, log2N, r, p, salt, hash] = stored.split('$');
    if (scheme !== 'scrypt' || !salt || !hash) return false;
    const expected = Buffer.from(hash, 'base64url');
    const options = this.options(Number(log2N), Number(r), Number(p));
    const key = await this.gate.run(() => this.derive(password, Buffer.from(salt, 'base64url'), options));
    return key.length === expected.length && timingSafeEqual(key, expected);
  }

  /** Spends the same time as a real check, so an unknown email is not told apart by timing. */
  private dummyHash: Promise<string> | undefined;
  async verifyAgainstDummy(password: string): Promise<void> {
    this.dummyHash ??= this.hash('flow-dummy-password-for-timing');
    await this.verify(password, await this.dummyHash);
  }

  private options(log2N: number, r: number, p: number): ScryptOptions {
    const N = 2 ** log2N;
    return { N, r, p, maxmem: 256 * N * r + 1024 * 1024 };
  }
}
