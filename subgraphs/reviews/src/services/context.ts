import type { BaseContext } from '@flow/subgraph-kit';
import type { Loaders } from '../loaders';

/** What a service method needs of a request: the viewer, the request id, its loaders. */
export type ServiceContext = BaseContext & { loaders: Loaders };
