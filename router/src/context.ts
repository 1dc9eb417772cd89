import type { Logger, Viewer } from '@flow/core';
import type { UsageScope } from './usage/caps';

/** The per-request context of the router's Apollo Server, also handed to every subgraph call. */
export interface RouterContext {
  requestId: string;
  viewer: Viewer | null;
  /** The normalized `Bearer <token>` header forwarded to subgraphs, or null when anonymous. */
  authorization: string | null;
  /** The end client's address (honouring TRUST_PROXY), forwarded to subgraphs. */
  clientAddress: string | null;
  logger: Logger;
  /** Records the operation name for the access log line. */
  noteOperationName: (name: string) => void;
  // Rate limits and caps (usage/).
  /** The operation's estimated cost, spent as rate-limit points (1 when unset). */
  operationCost?: number;
  /** Points charged for this client operation; set once charged, so nothing run for it is charged again. */
  chargedPoints?: number;
  /** The live connection (socket or SSE request) whose subscriptions count against the caps. */
  usage?: UsageScope;
}
