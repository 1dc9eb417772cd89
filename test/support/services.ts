// A subgraph called straight, as another subgraph calls it: signed with the router secret the
// e2e processes use (the development default) and naming the calling service.
import { randomUUID } from 'node:crypto';
import {
  DEVELOPMENT_ROUTER_SECRET,
  REQUEST_ID_HEADER,
  SERVICE_HEADER,
  SIGNATURE_HEADER,
  signRequest,
  TIMESTAMP_HEADER,
} from '../../packages/platform/src';
import { createGraphQLClient, type GraphQLClient } from '../../packages/platform/src/testing';

export function serviceClient(url: string, service: string): GraphQLClient {
  const plain = createGraphQLClient(url);
  return (request) => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const requestId = `e2e-${randomUUID()}`;
    const signature = signRequest(DEVELOPMENT_ROUTER_SECRET, {
      timestamp,
      requestId,
      authorization: request.token ? `Bearer ${request.token}` : '',
      service,
      query: request.query,
      operationName: null,
      variables: request.variables ?? null,
    });
    return plain({
      ...request,
      headers: {
        ...request.headers,
        [SIGNATURE_HEADER]: signature,
        [TIMESTAMP_HEADER]: timestamp,
        [REQUEST_ID_HEADER]: requestId,
        [SERVICE_HEADER]: service,
      },
    });
  };
}
