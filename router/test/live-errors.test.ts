// Parse and validation errors over graphql-ws and SSE carry the codes HTTP gives them (issue 10,
// item 7), in development and in production (where an error without a code would be masked as
// INTERNAL_SERVER_ERROR), and production shows no field suggestions.
import type { LiveRouter } from './live-support';
import { eventStream, rawSocket, startLiveRouter } from './live-support';
import { graphql, signToken, startRouterFixture, type RouterFixture, type SigningKey } from './support';

let fixture: RouterFixture;
let key: SigningKey;
const routers: Record<'development' | 'production', LiveRouter | undefined> = {
  development: undefined,
  production: undefined,
};

beforeAll(async () => {
  fixture = await startRouterFixture('live-errors-key', { production: false });
  key = fixture.key;
  const env = { ...fixture.usersEnv, MAX_QUERY_TOKENS: '500' };
  routers.development = fixture.adopt(await startLiveRouter(env));
  routers.production = fixture.adopt(await startLiveRouter({ ...env, FLOW_ENV: 'production' }));
});

afterAll(() => fixture?.stop());

interface Case {
  name: string;
  query: string;
  operationName?: string;
  code: string;
  /** Also sent over HTTP POST, where Apollo gives the same code. */
  http?: boolean;
}

const cases: Case[] = [
  { name: 'a syntax error', query: '{ me { id }', code: 'GRAPHQL_PARSE_FAILED', http: true },
  {
    name: 'more tokens than MAX_QUERY_TOKENS',
    query: `{ ${'__typename '.repeat(600)}}`,
    code: 'GRAPHQL_PARSE_FAILED',
    http: true,
  },
  { name: 'an unknown field', query: '{ meh { id } }', code: 'GRAPHQL_VALIDATION_FAILED', http: true },
  {
    name: 'two root fields in a subscription',
    query: 'subscription { notificationAdded { id } again: notificationAdded { id } }',
    code: 'GRAPHQL_VALIDATION_FAILED',
    http: true,
  },
  {
    name: 'several operations and no operationName',
    query: 'query A { __typename } query B { __typename }',
    code: 'BAD_REQUEST',
  },
  {
    name: 'an unknown operationName',
    query: 'query A { __typename }',
    operationName: 'C',
    code: 'BAD_REQUEST',
  },
  {
    name: 'a subscription through a fragment',
    query: 'subscription { ...F } fragment F on Subscription { notificationAdded { id } }',
    code: 'BAD_REQUEST',
  },
];

describe.each(['development', 'production'] as const)('in %s', (mode) => {
  const url = () => routers[mode]!.router.url;

  it.each(cases)(
    'gives $name $code over graphql-ws, SSE and HTTP',
    async ({ query, operationName, code, http }) => {
      const token = await signToken(key);
      const payload = { query, ...(operationName ? { operationName } : {}) };

      const ws = rawSocket(url(), { authorization: `Bearer ${token}` });
      const answer = await ws.operation('1', payload);
      expect(answer).toEqual([
        {
          id: '1',
          type: 'error',
          payload: [expect.objectContaining({ extensions: expect.objectContaining({ code }) })],
        },
      ]);
      expect(ws.socket.readyState).toBe(ws.socket.OPEN);
      ws.socket.close();

      const stream = eventStream(url(), { method: 'POST', token, ...payload });
      await stream.done;
      expect(stream.results).toEqual([
        { errors: [expect.objectContaining({ extensions: expect.objectContaining({ code }) })] },
      ]);

      if (http) {
        const result = await graphql(url(), query, { token, operationName });
        expect(result.body.errors?.[0]?.extensions?.code).toBe(code);
      }
    },
  );

  it(`${mode === 'production' ? 'hides' : 'shows'} field suggestions in validation errors`, async () => {
    const ws = rawSocket(url());
    const [answer] = await ws.operation('1', { query: '{ organizatio(id: "org-1") { id } }' });
    const message = (answer!.payload as { message: string }[])[0]!.message;
    expect(message.includes('Did you mean')).toBe(mode !== 'production');
    ws.socket.close();
  });
});
