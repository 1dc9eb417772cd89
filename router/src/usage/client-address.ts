// The client address of a WebSocket upgrade request, by the same TRUST_PROXY rules as Express's
// `req.ip` on HTTP: walk X-Forwarded-For from the nearest hop while the hop is trusted. Without
// it every socket behind a load balancer would share the balancer's address budget and caps.
import type { IncomingMessage } from 'node:http';

/** Express's compiled `trust proxy` setting: `app.get('trust proxy fn')`. */
export type TrustProxy = (address: string, hop: number) => boolean;

export function clientAddressOf(request: IncomingMessage, trust: TrustProxy): string | null {
  const peer = request.socket.remoteAddress;
  if (!peer) return null;
  const header = request.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((hop) => hop.trim())
    .filter(Boolean)
    .reverse();
  const hops = [peer, ...forwarded];
  for (let i = 0; i < hops.length - 1; i += 1) if (!trust(hops[i]!, i)) return hops[i]!;
  return hops[hops.length - 1]!;
}
