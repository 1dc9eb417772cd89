import { decodeCursor, encodeCursor, pageSize, toConnection } from '../src/graphql/pagination';
import { requireEmail, requireText, requireUuid } from '../src/validation';

describe('pagination helpers', () => {
  it('round-trips cursors and refuses foreign ones with the field named', () => {
    const cursor = { at: '2026-01-01T00:00:00.000Z', id: 'abc' };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    expect(decodeCursor(undefined)).toBeNull();
    expect(() => decodeCursor('garbage')).toThrow(
      expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: 'after' } }),
    );
  });

  it('bounds the page size', () => {
    expect(pageSize(undefined)).toBe(20);
    expect(() => pageSize(0)).toThrow(/between 1 and 100/);
    expect(() => pageSize(101)).toThrow(/between 1 and 100/);
  });

  it('uses the extra row only to tell that there is a next page', () => {
    const rows = [1, 2, 3].map((n) => ({ n }));
    const connection = toConnection(
      rows,
      2,
      10,
      (r) => ({ at: new Date(r.n).toISOString(), id: String(r.n) }),
      false,
    );
    expect(connection.edges.map((e) => e.node.n)).toEqual([1, 2]);
    expect(connection.pageInfo.hasNextPage).toBe(true);
    expect(connection.pageInfo.endCursor).toBe(connection.edges[1]!.cursor);
    expect(connection.totalCount).toBe(10);
  });
});

describe('validation helpers', () => {
  it('normalises and checks input, naming the field', () => {
    expect(requireEmail('  Nurse@Example.ORG ', 'input.email')).toBe('nurse@example.org');
    expect(() => requireEmail('not-an-email', 'input.email')).toThrow(
      expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: 'input.email' } }),
    );
    expect(requireText('  St. Mary  ', 'input.organizationName', { min: 2, max: 200 })).toBe('St. Mary');
    expect(() => requireText('   ', 'input.name', { max: 10 })).toThrow(/must not be empty/);
    expect(() => requireUuid('1 OR 1=1', 'id')).toThrow(/not a valid id/);
  });
});
