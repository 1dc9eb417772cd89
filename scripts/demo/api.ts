// The demo seed's view of the public API: demo accounts sign in once each, on first use (every
// sign-in spends the address's LOGIN_RATE_LIMIT_PER_MINUTE budget, which the person who just ran
// `npm start` needs too), and every mutation is counted, so that a run can say it changed nothing.
import { demoAccount, type DemoEmail } from '@flow/users/demo-accounts';
import { httpRequest } from '../lib/processes';

/**
 * What the seed needs of a GraphQL client: plain node:http by default, so that `npm start`'s
 * supervisor loads no test kit (nor fetch); a test passes its own (the test kit's GraphQLClient is
 * one).
 */
export type DemoClient = <Data>(request: {
  query: string;
  variables?: Record<string, unknown>;
  token?: string;
}) => Promise<{
  status: number;
  data?: Data | null;
  errors?: readonly { message: string; extensions?: Record<string, unknown> }[];
}>;

function httpClient(url: string): DemoClient {
  return async <Data>({ query, variables, token }: Parameters<DemoClient>[0]) => {
    const response = await httpRequest(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = JSON.parse(response.body) as Omit<Awaited<ReturnType<DemoClient>>, 'status'>;
    return { status: response.status, data: body.data as Data | null | undefined, errors: body.errors };
  };
}

export class DemoSeedError extends Error {
  constructor(
    message: string,
    readonly code?: string,
    /** extensions.reason, which tells one CONFLICT from another. */
    readonly reason?: string,
  ) {
    super(`demo seed: ${message}`);
  }
}

export interface Actor {
  email: DemoEmail;
  userId: string;
  organizationId: string;
  query<Data>(query: string, variables?: Record<string, unknown>): Promise<Data>;
  /** A mutation: counted as a change. */
  mutate<Data>(query: string, variables?: Record<string, unknown>): Promise<Data>;
  /** A mutation that may be refused (and asked again): counted as a change only once it is accepted. */
  attempt<Data>(query: string, variables?: Record<string, unknown>): Promise<Data>;
}

export class DemoApi {
  private readonly gql: DemoClient;
  private readonly actors = new Map<DemoEmail, Promise<Actor>>();
  /** Mutations sent (sign-ins aside): 0 when the demo data was already in place. */
  changes = 0;
  signIns = 0;

  /** `client`: another way to the router (a test's, that loses a reply). */
  constructor(routerUrl: string, client?: DemoClient) {
    this.gql = client ?? httpClient(routerUrl);
  }

  as(email: DemoEmail): Promise<Actor> {
    let actor = this.actors.get(email);
    if (!actor) {
      actor = this.signIn(email);
      this.actors.set(email, actor);
    }
    return actor;
  }

  private async signIn(email: DemoEmail): Promise<Actor> {
    const { password } = demoAccount(email);
    this.signIns += 1;
    const { login } = await this.send<{
      login: { accessToken: string; user: { id: string; organization: { id: string } } };
    }>(
      undefined,
      'mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken user { id organization { id } } } }',
      { email, password },
    );
    const query = <Data>(text: string, variables?: Record<string, unknown>) =>
      this.send<Data>(login.accessToken, text, variables);
    return {
      email,
      userId: login.user.id,
      organizationId: login.user.organization.id,
      query,
      mutate: (text, variables) => {
        this.changes += 1;
        return query(text, variables);
      },
      attempt: async <Data>(text: string, variables?: Record<string, unknown>) => {
        const data = await query<Data>(text, variables);
        this.changes += 1;
        return data;
      },
    };
  }

  private async send<Data>(token: string | undefined, query: string, variables?: Record<string, unknown>) {
    const result = await this.gql<Data>({ query, variables, token });
    const error = result.errors?.[0];
    if (error || !result.data) {
      const extension = (key: string) =>
        error?.extensions?.[key] === undefined ? undefined : String(error.extensions[key]);
      const code = extension('code');
      throw new DemoSeedError(
        `${error?.message ?? `HTTP ${result.status}, no data`} (${code})`,
        code,
        extension('reason'),
      );
    }
    return result.data;
  }
}

export const money = (amountMinor: number, currency: string) => ({ amountMinor, currency });

/**
 * Runs `work` on every item, at most `limit` at a time: the platform shares the machine. After a
 * failure no new item starts, and the error is thrown once the ones under way have ended: nothing
 * of this run goes on behind the caller's back.
 */
export async function eachAtMost<T>(limit: number, items: readonly T[], work: (item: T) => Promise<unknown>) {
  const queue = [...items];
  const failures: unknown[] = [];
  const worker = async () => {
    for (let item = queue.shift(); item !== undefined && !failures.length; item = queue.shift()) {
      try {
        await work(item);
      } catch (error) {
        failures.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, worker));
  if (failures.length) throw failures[0];
}

/** Promise.all that waits for every promise to settle before it throws the first failure. */
export async function allSettled<T>(promises: readonly Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((result) => (result as PromiseFulfilledResult<T>).value);
}
