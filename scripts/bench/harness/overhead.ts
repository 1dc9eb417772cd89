// Scenario 2, the router's overhead: one query of one subgraph (products(first: 20), inventory)
// through Flow's router and straight at the subgraph, signed as the router signs its calls
// (router/src/datasource.ts), one request at a time.
import { randomUUID } from 'node:crypto';
import {
  DEADLINE_HEADER,
  REQUEST_ID_HEADER,
  SIGNATURE_HEADER,
  signRequest,
  TIMESTAMP_HEADER,
} from '@flow/core';
import { compare, type CompareOptions, type SystemFigures } from './compare';
import type { FlowPlatform } from './flow-platform';
import type { LoadRequest } from './load';

export const PRODUCTS_QUERY =
  'query Products { products(first: 20) { edges { node { id sku name category capacityLiters } } } }';

/** The headers the router's data source sends with a call, signed with the platform's secret. */
export function signedHeaders(
  secret: string,
  token: string,
  body: { query: string; operationName?: string; variables?: Record<string, unknown> },
): Record<string, string> {
  const authorization = `Bearer ${token}`;
  const timestamp = String(Math.floor(Date.now() / 1000));
  const requestId = randomUUID();
  // Past the end of any round; the signature's own age limit (60 s) bounds a round instead.
  const deadline = String(Date.now() + 120_000);
  return {
    authorization,
    [REQUEST_ID_HEADER]: requestId,
    [TIMESTAMP_HEADER]: timestamp,
    [DEADLINE_HEADER]: deadline,
    [SIGNATURE_HEADER]: signRequest(secret, {
      timestamp,
      requestId,
      authorization,
      clientAddress: '',
      deadline,
      query: body.query,
      operationName: body.operationName,
      variables: body.variables,
    }),
  };
}

export interface OverheadResult {
  figures: SystemFigures[];
  p50DifferenceMs: number;
}

export async function runOverhead(
  platform: FlowPlatform,
  token: string,
  options: CompareOptions,
): Promise<OverheadResult> {
  const body = { query: PRODUCTS_QUERY, operationName: 'Products' };
  const inventory = platform.subgraphs.inventory!;
  const viaRouter = (): LoadRequest => ({
    url: platform.routerUrl,
    body: JSON.stringify(body),
    headers: { authorization: `Bearer ${token}` },
  });
  const direct = (): LoadRequest => ({
    url: inventory.url,
    body: JSON.stringify(body),
    headers: signedHeaders(platform.secret, token, body),
  });
  for (const request of [viaRouter(), direct()]) {
    const response = await fetch(request.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...request.headers },
      body: request.body,
    });
    const result = (await response.json()) as {
      data?: { products?: { edges: unknown[] } };
      errors?: unknown;
    };
    if (!response.ok || result.errors || !result.data?.products)
      throw new Error(
        `products(first: 20) at ${request.url} failed: ${response.status} ${JSON.stringify(result).slice(0, 500)}`,
      );
  }
  const figures = await compare(
    [
      {
        name: 'via flow-router',
        request: viaRouter,
        processes: { router: platform.router, inventory: inventory.process },
        subgraphCalls: () => platform.calls('inventory'),
      },
      {
        name: 'inventory direct',
        request: direct,
        processes: { router: platform.router, inventory: inventory.process },
        subgraphCalls: () => platform.calls('inventory'),
      },
    ],
    { ...options, connections: 1 },
  );
  return { figures, p50DifferenceMs: figures[0]!.p50Ms - figures[1]!.p50Ms };
}
