// A NUL or an unpaired surrogate anywhere in an operation's arguments is BAD_USER_INPUT naming
// the argument path, before any resolver runs (issue 11 case 10), on a real subgraph server.
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { createLogger } from '@flow/core';
import { startSubgraphServer, type BaseContext, type RunningSubgraph } from '../src/subgraph-server';
import { createGraphQLClient, type GraphQLClient } from '@flow/testing';

let server: RunningSubgraph;
let gql: GraphQLClient;
const calls: unknown[] = [];

beforeAll(async () => {
  const schema = buildSubgraphSchema({
    typeDefs: parse(`
      input Address { line1: String!, lines: [String!] }
      input SaveInput { name: String!, address: Address, tags: [String!] }
      input Filter { search: String }
      type Query { products(filter: Filter, ids: [ID!]): String }
      type Mutation { save(input: SaveInput!): String, login(email: String!): String }
    `),
    resolvers: {
      Query: { products: (_: unknown, args: unknown) => (calls.push(args), 'ok') },
      Mutation: {
        save: (_: unknown, args: unknown) => (calls.push(args), 'saved'),
        login: (_: unknown, args: unknown) => (calls.push(args), 'in'),
      },
    },
  });
  server = await startSubgraphServer<BaseContext>({
    name: 'text-test',
    schema,
    logger: createLogger('text-test', 'silent'),
    port: 0,
    production: false,
    routerSecret: 'text-arguments-test-secret',
    verifyToken: async () => {
      throw new Error('no tokens in this test');
    },
    buildContext: (base) => base,
    readiness: {},
  });
  gql = createGraphQLClient(server.url);
});
afterAll(async () => {
  await server?.stop();
});
beforeEach(() => {
  calls.length = 0;
});

async function refused(query: string, variables: Record<string, unknown> | undefined, field: string) {
  const result = await gql({ query, variables });
  expect(result.status).toBe(200);
  expect(result.errors).toHaveLength(1);
  expect(result.errors![0]).toMatchObject({
    message: `${field} contains a character that is not allowed (NUL or an unpaired surrogate).`,
    extensions: { code: 'BAD_USER_INPUT', field },
  });
  expect(result.data ?? null).toBeNull();
  expect(calls).toEqual([]);
}

describe('text arguments with NUL or unpaired surrogates', () => {
  it('refuses a NUL in a literal, naming the nested argument (the issue’s products example)', async () => {
    await refused('{ products(filter: { search: "a\\u0000b" }) }', undefined, 'filter.search');
  });

  it('refuses a NUL in a variable (the issue’s login example)', async () => {
    await refused('mutation($e: String!) { login(email: $e) }', { e: 'a\u0000@b.c' }, 'email');
  });

  it('names the path inside nested input objects and lists of variables and literals', async () => {
    const save = 'mutation($input: SaveInput!) { save(input: $input) }';
    await refused(save, { input: { name: 'n', address: { line1: 'x\u0000y' } } }, 'input.address.line1');
    await refused(save, { input: { name: 'n', tags: ['fine', 'bad\uD800'] } }, 'input.tags[1]');
    await refused(
      save,
      { input: { name: 'n', address: { line1: 'ok', lines: ['\uDC00'] } } },
      'input.address.lines[0]',
    );
    await refused(
      'mutation($line: String!) { save(input: { name: "n", address: { line1: $line } }) }',
      { line: '\u0000' },
      'input.address.line1',
    );
    await refused('{ products(ids: ["1", "2\\u0000"]) }', undefined, 'ids[1]');
  });

  it('checks fragments and variable defaults too', async () => {
    await refused(
      '{ ...F } fragment F on Query { products(filter: { search: "\\u0000" }) }',
      undefined,
      'filter.search',
    );
    await refused(
      'query($s: String = "x\\u0000") { products(filter: { search: $s }) }',
      undefined,
      'filter.search',
    );
  });

  it('checks the variables of a query text it has seen clean before (each document is walked once)', async () => {
    const query =
      'query($s: String, $d: String = "fine") { a: products(filter: { search: $s }) b: products(filter: { search: $d }) }';
    const clean = await gql({ query, variables: { s: 'fine' } });
    expect(clean.errors).toBeUndefined();
    calls.length = 0;
    await refused(query, { s: 'bad\u0000' }, 'filter.search');
    await refused(query, { s: 'fine', d: '\uD800' }, 'filter.search');
    // A variable no argument uses is not an argument value: still accepted.
    const unused = await gql({ query, variables: { s: 'fine', unused: '\u0000' } });
    expect(unused.errors).toBeUndefined();
  });

  it('lets ordinary text through, surrogate pairs (emoji) and other control characters included', async () => {
    const result = await gql({
      query: 'mutation($input: SaveInput!) { save(input: $input) }',
      variables: { input: { name: 'Clinic 😀 \t é', address: { line1: 'Rue 1\n', lines: ['ü'] } } },
    });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ save: 'saved' });
    expect(calls).toHaveLength(1);
  });
});
