import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const KEY_LENGTH = 32;

function scrypt(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCallback(password.normalize('NFKC'), salt, KEY_LENGTH, options, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/**
 * scrypt (memory-hard): `scrypt$<log2N>$<r>$<p>$<salt>$<hash>`. The parameters live in the hash,
 * so raising the cost later leaves existing hashes verifiable.
 */
export class PasswordHasher {
  constructor(private readonly log2Cost: number) {}

  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const options = this.options(this.log2Cost, 8, 1);
    const key = await scrypt(password, salt, options);
    return ['scrypt', this.log2Cost, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$');
  }

  async verify(password: string, stored: string): Promise<boolean> {
    const [scheme, log2N, r, p, salt, hash] = stored.split('$');
    if (scheme !== 'scrypt' || !salt || !hash) return false;
    const expected = Buffer.from(hash, 'base64url');
    const key = await scrypt(
      password,
      Buffer.from(salt, 'base64url'),
      this.options(Number(log2N), Number(r), Number(p)),
    );
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
