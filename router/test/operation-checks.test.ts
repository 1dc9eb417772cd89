// The remembered per-operation checks (src/operation-checks.ts) must give what the checks give:
// compared with findInvalidText and findViolations over a matrix of operations and viewers, each
// asked twice (the second answer comes from the cache), the viewers interleaved.
import { buildSchema, getOperationAST, parse, type OperationDefinitionNode } from 'graphql';
import { findInvalidText, type Viewer } from '@flow/core';
import { findViolations, type AuthRequirements } from '../src/auth/declarative';
import { cachedInvalidText, cachedViolations } from '../src/operation-checks';

const schema = buildSchema(`
  type Query { open: String secret: String admin: Admin item(id: ID, note: String): Item node: Node }
  type Admin { users(note: String): [String] audit: String }
  type Item { id: ID note: String }
  interface Node { id: ID }
  type Locked implements Node { id: ID code: String }
`);
const requirements: AuthRequirements = new Map([
  ['Query.secret', [{ kind: 'authenticated' as const }]],
  ['Admin', [{ kind: 'scopes' as const, anyOf: [['admin:read'], ['platform:admin']] }]],
  ['Admin.audit', [{ kind: 'scopes' as const, anyOf: [['audit:read', 'admin:read']] }]],
  ['Locked', [{ kind: 'authenticated' as const }]],
]);

const viewer = (scopes: string[]): Viewer => ({
  userId: 'u',
  organizationId: 'o',
  organizationKind: 'HOSPITAL',
  role: 'HOSPITAL_ADMIN',
  scopes,
  tokenId: undefined,
});
const viewers: Array<Viewer | null> = [
  null,
  viewer([]),
  viewer(['admin:read']),
  viewer(['audit:read', 'admin:read']),
  viewer(['admin:read', 'audit:read']),
  viewer(['platform:admin']),
];

const texts = [
  '{ open }',
  '{ open secret }',
  '{ admin { users } }',
  '{ a: admin { audit } b: admin { users(note: "x") } }',
  '{ ...F } fragment F on Query { secret admin { audit } }',
  '{ node { id ... on Locked { code } } }',
  'query Q($s: Boolean!) { secret @skip(if: $s) open }',
  '{ item(note: "bad \\u0000 text") { id } }',
  '{ item(note: "fine") { id note } }',
  '{ ...G } fragment G on Query { item(note: "\\u0000") { id } }',
  'query V($n: String) { item(note: $n) { id } }',
  'query D($n: String = "dflt \\u0000") { item(note: $n) { id } }',
];
const variableSets: Array<Record<string, unknown> | undefined> = [
  undefined,
  {},
  { n: 'ok' },
  { n: 'bad \u0000' },
  { s: true },
];

const parsed = texts.map((text) => {
  const document = parse(text);
  return { document, operation: getOperationAST(document) as OperationDefinitionNode };
});

it('gives the violations findViolations gives, for every viewer, twice', () => {
  for (let round = 0; round < 2; round++)
    for (const { document, operation } of parsed)
      for (const v of viewers) {
        const options = { schema, document, operation, requirements, viewer: v };
        expect(cachedViolations(options)).toEqual(findViolations(options));
      }
});

it('finds the text findInvalidText finds, whatever the variables, twice', () => {
  for (let round = 0; round < 2; round++)
    for (const { document, operation } of parsed)
      for (const variables of variableSets)
        expect([
          operation.loc?.source.body,
          variables,
          cachedInvalidText(document, operation, variables),
        ]).toEqual([operation.loc?.source.body, variables, findInvalidText(document, operation, variables)]);
});

it('refuses what it refused the first time (not only the first answer is right)', () => {
  const { document, operation } = parsed[1]!;
  const options = { schema, document, operation, requirements, viewer: null };
  expect(cachedViolations(options)).toHaveLength(1);
  expect(cachedViolations(options)).toHaveLength(1);
  expect(cachedViolations({ ...options, viewer: viewer([]) })).toHaveLength(0);
  expect(cachedViolations(options)).toHaveLength(1);
  const bad = parsed[7]!;
  expect(cachedInvalidText(bad.document, bad.operation, undefined)).toBe('note');
  expect(cachedInvalidText(bad.document, bad.operation, undefined)).toBe('note');
});
