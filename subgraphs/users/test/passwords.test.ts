import { scrypt } from 'node:crypto';
import { PasswordHasher } from '../src/services/passwords';

describe('password hashing (scrypt)', () => {
  const hasher = new PasswordHasher(14);

  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hasher.hash('correct horse battery staple');
    expect(hash).toMatch(/^scrypt\$14\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(hash).not.toContain('correct horse');
    await expect(hasher.verify('correct horse battery staple', hash)).resolves.toBe(true);
    await expect(hasher.verify('correct horse battery stapler', hash)).resolves.toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hasher.hash('same password here')).not.toBe(await hasher.hash('same password here'));
  });

  it('keeps old hashes verifiable after the cost is raised', async () => {
    const old = await hasher.hash('a long enough password');
    await expect(new PasswordHasher(15).verify('a long enough password', old)).resolves.toBe(true);
  });

  it('refuses malformed stored hashes', async () => {
    await expect(hasher.verify('x', 'plaintext')).resolves.toBe(false);
    await expect(hasher.verify('x', 'bcrypt$10$abc')).resolves.toBe(false);
  });
});

describe('password derivations at a time', () => {
  it('runs at most `concurrency` derivations at once and every call still gets its own answer', async () => {
    let running = 0;
    let most = 0;
    const hasher = new PasswordHasher(14, {
      concurrency: 2,
      // The real scrypt, counted: how many are inside it at the same time.
      derive: async (password, salt, options) => {
        running += 1;
        most = Math.max(most, running);
        try {
          return await new Promise<Buffer>((resolve, reject) =>
            scrypt(password, salt, 32, options, (error, key) => (error ? reject(error) : resolve(key))),
          );
        } finally {
          running -= 1;
        }
      },
    });
    const passwords = Array.from({ length: 6 }, (_, i) => `password number ${i}`);
    const hashes = await Promise.all(passwords.map((p) => hasher.hash(p)));
    expect(most).toBe(2);
    const checks = await Promise.all([
      ...passwords.map((p, i) => hasher.verify(p, hashes[i]!)),
      hasher.verify('wrong password', hashes[0]!),
    ]);
    expect(checks).toEqual([true, true, true, true, true, true, false]);
    expect(most).toBe(2);
    expect(running).toBe(0);
  });

  it('goes on after a derivation fails', async () => {
    let calls = 0;
    const hasher = new PasswordHasher(14, {
      concurrency: 1,
      derive: async () => {
        calls += 1;
        if (calls === 1) throw new Error('derivation failed');
        return Buffer.alloc(32, 7);
      },
    });
    const results = await Promise.allSettled([
      hasher.hash('first one fails'),
      hasher.hash('second one works'),
    ]);
    expect(results[0]).toMatchObject({ status: 'rejected', reason: new Error('derivation failed') });
    expect(results[1]).toMatchObject({ status: 'fulfilled' });
  });
});
