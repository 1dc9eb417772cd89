import type { Logger, Viewer } from '@flow/platform';

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
  /** The operation's static cost estimate (budget/), set once it is admitted: rate-limit points. */
  operationCost?: number;
}
