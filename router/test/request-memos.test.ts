// The memos installed where Apollo Server and the gateway call (src/request-memos.ts): each gives
// what the call it stands for gives, from the memo or not.
import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { composeServices } from '@apollo/composition';
import { Supergraph } from '@apollo/federation-internals';
import { parse, type DocumentNode } from 'graphql';
import {
  gatewayOperationFromDocument,
  Memo,
  memoCreateHash,
  memoMediaType,
  memoOperationFromDocument,
  negotiatorMediaType,
} from '../src/request-memos';
import { TINY_SUBGRAPHS } from './fixtures/tiny-subgraph';

describe('memoCreateHash', () => {
  const sha256 = (parts: Array<string | Buffer>, encoding?: 'hex' | 'base64') => {
    const real = createHash('sha256');
    const memo = memoCreateHash('sha256');
    for (const part of parts) {
      real.update(part);
      memo.update(part);
    }
    return [memo.digest(encoding as 'hex'), real.digest(encoding as 'hex')];
  };

  it.each([
    ['a query', ['{ products { id } }']],
    ['two updates', ['hash-of-query', 'OperationName']],
    ['nothing', ['']],
    ['non-ASCII text', ['é ünïcode ✓']],
    ['20,000 characters', ['x'.repeat(20_000)]],
    ['text, then bytes', ['text', Buffer.from('bytes')]],
    ['bytes, then text', [Buffer.from('bytes'), 'text']],
  ])(
    'gives crypto’s digest for %s, the first time and from the memo',
    (_name, parts: Array<string | Buffer>) => {
      for (let i = 0; i < 2; i += 1) {
        const [memo, real] = sha256(parts, 'hex');
        expect(memo).toBe(real);
      }
      const [memo64, real64] = sha256(parts, 'base64');
      expect(memo64).toBe(real64);
      const [memoBytes, realBytes] = sha256(parts);
      expect(Buffer.isBuffer(memoBytes)).toBe(true);
      expect(memoBytes).toEqual(realBytes);
    },
  );

  it('leaves other algorithms to crypto', () => {
    expect(memoCreateHash('sha512').update('a').digest('hex')).toBe(
      createHash('sha512').update('a').digest('hex'),
    );
  });
});

describe('Memo', () => {
  it('holds at most its size, starting over when full', () => {
    const memo = new Memo<number, number>(3);
    for (let i = 0; i < 10; i += 1) memo.set(i, i);
    expect(memo.size).toBeLessThanOrEqual(3);
    expect(memo.get(9)).toBe(9);
  });
});

describe('memoMediaType', () => {
  type Negotiating = ThisParameterType<typeof memoMediaType>;
  const Negotiator = require(
    require.resolve('negotiator', { paths: [dirname(require.resolve('@apollo/server'))] }),
  ) as new (request: unknown) => Negotiating;
  const APOLLO_TYPES = [
    'application/json; charset=utf-8',
    'application/graphql-response+json; charset=utf-8',
  ];
  it.each([
    undefined,
    '*/*',
    'application/json',
    'application/graphql-response+json, application/json;q=0.9',
    'application/json;q=0.5, application/graphql-response+json;q=0.4',
    'text/html',
    'text/event-stream',
    'garbage;;;q=',
  ])('prefers what negotiator prefers for Accept %j', (accept) => {
    for (const available of [APOLLO_TYPES, [...APOLLO_TYPES].reverse(), ['text/html']]) {
      const request = new Negotiator({ headers: { accept } });
      const expected = negotiatorMediaType.call(request, available);
      expect(memoMediaType.call(request, available)).toEqual(expected);
      expect(memoMediaType.call(request, available)).toEqual(expected);
    }
  });

  it('gives every type without a list, as negotiator does', () => {
    const request = new Negotiator({ headers: { accept: 'text/html, application/json' } });
    expect(memoMediaType.call(request)).toEqual(negotiatorMediaType.call(request));
  });
});

describe('memoOperationFromDocument', () => {
  const composed = composeServices(
    Object.entries(TINY_SUBGRAPHS).map(([name, sdl]) => ({
      name,
      url: `http://127.0.0.1:1/${name}`,
      typeDefs: parse(sdl),
    })),
  );
  const schema = Supergraph.build(composed.supergraphSdl!).apiSchema();
  const parsed = parse(`
    query Featured($withTitle: Boolean!) { featured { ...Parts title @include(if: $withTitle) } books { id } }
    fragment Parts on Book { id stars }
  `);
  // What executeQueryPlan hands it: a new document of the parsed operation and its fragments.
  const asExecuted = (document: DocumentNode): DocumentNode => ({
    kind: document.kind,
    definitions: [...document.definitions],
  });
  type Shown = { toString(): string };

  it('answers the executor’s call once per parsed operation, with what the gateway builds', () => {
    const first = memoOperationFromDocument(schema, asExecuted(parsed), { validate: false }) as Shown;
    const again = memoOperationFromDocument(schema, asExecuted(parsed), { validate: false });
    expect(again).toBe(first);
    const built = gatewayOperationFromDocument(schema, asExecuted(parsed), { validate: false }) as Shown;
    expect(first.toString()).toBe(built.toString());
  });

  it('builds anew for other fragments, another schema, and every call that validates', () => {
    const first = memoOperationFromDocument(schema, asExecuted(parsed), { validate: false });
    const otherFragments = parse('fragment Parts on Book { id }').definitions;
    const changed = {
      kind: parsed.kind,
      definitions: [parsed.definitions[0]!, ...otherFragments],
    } as DocumentNode;
    const withOther = memoOperationFromDocument(schema, changed, { validate: false }) as Shown;
    expect(withOther).not.toBe(first);
    expect(withOther.toString()).not.toContain('stars');
    const otherSchema = Supergraph.build(composed.supergraphSdl!).apiSchema();
    expect(memoOperationFromDocument(otherSchema, asExecuted(parsed), { validate: false })).not.toBe(first);
    const validated = memoOperationFromDocument(schema, parsed, { validate: true });
    expect(memoOperationFromDocument(schema, parsed, { validate: true })).not.toBe(validated);
    expect(memoOperationFromDocument(schema, parsed)).not.toBe(memoOperationFromDocument(schema, parsed));
  });
});

describe('installed', () => {
  it('where Apollo Server and the gateway call them', () => {
    const from = (dir: string, name: string) =>
      require(require.resolve(name, { paths: [dir] })) as Record<string, unknown>;
    const apollo = dirname(require.resolve('@apollo/server'));
    const gateway = dirname(require.resolve('@apollo/gateway'));
    expect(from(apollo, '@apollo/utils.createhash').createHash).toBe(memoCreateHash);
    expect(from(gateway, '@apollo/utils.createhash').createHash).toBe(memoCreateHash);
    const Negotiator = from(apollo, 'negotiator') as unknown as { prototype: { mediaType: unknown } };
    expect(Negotiator.prototype.mediaType).toBe(memoMediaType);
  });
});
