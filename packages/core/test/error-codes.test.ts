import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLIENT_ERROR_CODES, ErrorCode, InternalErrorCode, RouterErrorCode } from '../src/errors';

const repositoryRoot = join(__dirname, '..', '..', '..');

/** The codes in the first column of the table under `heading` of a markdown file. */
function documentedCodes(file: string, heading: string): string[] {
  const text = readFileSync(join(repositoryRoot, file), 'utf8');
  const start = text.indexOf(`${heading}\n`);
  if (start < 0) throw new Error(`${file} has no "${heading}" section`);
  const end = text.indexOf('\n#', start + heading.length);
  const section = text.slice(start, end < 0 ? undefined : end);
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...(line.split('|')[1] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
}

describe('the error-code registry', () => {
  test("README.md's table lists exactly the codes a client can get", () => {
    const listed = documentedCodes('README.md', '### Error codes');
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual([...CLIENT_ERROR_CODES].sort());
  });

  test("router/README.md's client-facing table names only registry codes", () => {
    const listed = documentedCodes('router/README.md', '### Client-facing codes').filter((c) => c !== '…');
    expect(listed.filter((code) => !CLIENT_ERROR_CODES.has(code as never))).toEqual([]);
  });

  test('internal codes never count as client codes', () => {
    for (const code of Object.values(InternalErrorCode)) expect(CLIENT_ERROR_CODES.has(code)).toBe(false);
  });

  test("the router's codes that the public API also names keep one value", () => {
    const shared = Object.keys(RouterErrorCode).filter((key) => key in ErrorCode);
    for (const key of shared)
      expect(RouterErrorCode[key as keyof typeof RouterErrorCode]).toBe(
        (ErrorCode as Record<string, string>)[key],
      );
  });
});
