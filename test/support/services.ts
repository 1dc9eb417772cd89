// A subgraph called straight, as another subgraph calls it: signed with the router secret the
// e2e processes use (the development default) and naming the calling service.
import { DEVELOPMENT_ROUTER_SECRET } from '@flow/subgraph-kit';
import { createSignedClient, type GraphQLClient } from '@flow/testing';

export function serviceClient(url: string, service: string): GraphQLClient {
  return createSignedClient(url, DEVELOPMENT_ROUTER_SECRET, service);
}

/** A subgraph called straight as the router would call it (a router whose list is stale, say). */
export function routerSignedClient(url: string): GraphQLClient {
  return createSignedClient(url, DEVELOPMENT_ROUTER_SECRET);
}
