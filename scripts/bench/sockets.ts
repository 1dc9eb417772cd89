// graphql-ws clients of the benchmarks, tracked so that an interrupted run closes them before its
// environment stops.
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { PlatformTestEnvironment } from '../../test/environment';
import { wsUrl } from '../../test/support/live';

const openClients = new Set<Client>();

/** Closes every socket still open. */
export async function disposeClients(): Promise<void> {
  await Promise.all([...openClients].map((client) => client.dispose()));
  openClients.clear();
}

/** A connected (acknowledged) socket to the environment's router as the token's user. */
export function connect(env: PlatformTestEnvironment, token: string): Promise<Client> {
  const client = createClient({
    url: wsUrl(env.routerUrl),
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams: { authorization: `Bearer ${token}` },
    // A socket closing under a subscription reaches its sink's error(), which fails the run.
    onNonLazyError: () => {},
  });
  openClients.add(client);
  return new Promise((resolve, reject) => {
    client.on('connected', () => resolve(client));
    client.on('closed', (event) =>
      reject(new Error(`socket closed before connecting: ${JSON.stringify(event)}`)),
    );
    client.on('error', reject);
  });
}
