import type { BaseContext } from '@flow/subgraph-kit';

/** What a service method needs of a request: the viewer and the request id. */
export type ServiceContext = BaseContext;
