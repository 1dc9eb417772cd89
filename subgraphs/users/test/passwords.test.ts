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
