// Small but real HTTP stand-ins for the locations and inventory subgraphs: their own SDL files
// built with @apollo/subgraph, served by the platform's startSubgraphServer (token verification
// against the users JWKS, signature check, health), with in-memory data each test sets up.
// Only what pricing asks for is implemented.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { parse } from 'graphql';
import {
  createLogger,
  createRemoteTokenVerifier,
  errors,
  isPlatformAdmin,
  pageSize,
  requireUuid,
  requireViewer,
} from '@flow/core';
import {
  DEVELOPMENT_ROUTER_SECRET,
  startSubgraphServer,
  type BaseContext,
  type RunningSubgraph,
} from '@flow/subgraph-kit';

const schemaDir = join(__dirname, '..', '..', '..', '..', 'schema');
const sdl = (name: string) => parse(readFileSync(join(schemaDir, `${name}.graphql`), 'utf8'));

export interface StandInOptions {
  /** The users subgraph's JWKS, to verify the tokens pricing passes on. */
  jwksUrl: string;
}

async function serve(name: string, resolvers: unknown, options: StandInOptions) {
  return startSubgraphServer<BaseContext>({
    name: `${name}-stand-in`,
    schema: buildSubgraphSchema({ typeDefs: sdl(name), resolvers: resolvers as GraphQLResolverMap<unknown> }),
    logger: createLogger(`${name}-stand-in`, 'silent'),
    port: 0,
    production: false,
    routerSecret: DEVELOPMENT_ROUTER_SECRET,
    verifyToken: createRemoteTokenVerifier({
      issuer: 'urn:flow:users',
      audience: 'urn:flow:api',
      jwksUrl: options.jwksUrl,
      cooldownSeconds: 0,
      cacheSeconds: 600,
    }),
    buildContext: (base) => base,
    readiness: {},
  });
}

export interface StandInSite {
  id: string;
  name: string;
  organizationId: string;
  kind: 'HOSPITAL_SITE' | 'DEPOT';
}

/** locations: sites, and the road distance and time of each depot from each hospital site. */
export class LocationsStandIn {
  sites = new Map<string, StandInSite>();
  routes = new Map<string, { distanceKm: number; durationMinutes: number }>();
  /** nearestDepots calls received, with their arguments. */
  calls: Record<string, unknown>[] = [];
  server!: RunningSubgraph;

  static async start(options: StandInOptions): Promise<LocationsStandIn> {
    const standIn = new LocationsStandIn();
    standIn.server = await serve('locations', standIn.resolvers(), options);
    return standIn;
  }

  addSite(organizationId: string, kind: StandInSite['kind']): string {
    const id = randomUUID();
    this.sites.set(id, {
      id,
      name: `${kind === 'DEPOT' ? 'Depot' : 'Site'} ${this.sites.size + 1}`,
      organizationId,
      kind,
    });
    return id;
  }

  addDepot(
    organizationId: string,
    from: string,
    route: { distanceKm: number; durationMinutes: number },
  ): string {
    const id = this.addSite(organizationId, 'DEPOT');
    this.routes.set(`${from}->${id}`, route);
    return id;
  }

  private resolvers() {
    return {
      Query: {
        nearestDepots: (
          _: unknown,
          args: {
            siteId: string;
            organizationIds?: string[] | null;
            maxDistanceKm?: number | null;
            first?: number | null;
          },
          ctx: BaseContext,
        ) => {
          this.calls.push(args);
          const viewer = requireViewer(ctx.viewer);
          const limit = pageSize(args.first, 'first');
          const site = this.sites.get(requireUuid(args.siteId, 'siteId'));
          if (!site) throw errors.notFound('Site', args.siteId);
          // Like locations: a hospital site is visible to its own organization and platform admins.
          if (
            site.kind === 'HOSPITAL_SITE' &&
            site.organizationId !== viewer.organizationId &&
            !isPlatformAdmin(viewer)
          )
            throw errors.notFound('Site', args.siteId);
          return [...this.sites.values()]
            .filter((s) => s.kind === 'DEPOT')
            .filter((s) => !args.organizationIds || args.organizationIds.includes(s.organizationId))
            .flatMap((depot) => {
              const route = this.routes.get(`${site.id}->${depot.id}`);
              return route ? [{ depot, ...route }] : [];
            })
            .filter((d) => args.maxDistanceKm == null || d.distanceKm <= args.maxDistanceKm)
            .sort((a, b) => a.distanceKm - b.distanceKm)
            .slice(0, limit);
        },
      },
      Site: { organization: (site: StandInSite) => ({ id: site.organizationId }) },
    };
  }
}

/** inventory: products and the available stock of each at each depot. */
export class InventoryStandIn {
  products = new Map<string, { id: string; active: boolean }>();
  available = new Map<string, number>();
  calls: { field: string; args: unknown }[] = [];
  server!: RunningSubgraph;

  static async start(options: StandInOptions): Promise<InventoryStandIn> {
    const standIn = new InventoryStandIn();
    standIn.server = await serve('inventory', standIn.resolvers(), options);
    return standIn;
  }

  addProduct(active = true): string {
    const id = randomUUID();
    this.products.set(id, { id, active });
    return id;
  }

  setStock(depotId: string, productId: string, available: number) {
    this.available.set(`${depotId}:${productId}`, available);
  }

  private resolvers() {
    return {
      Query: {
        product: (_: unknown, args: { id: string }, ctx: BaseContext) => {
          this.calls.push({ field: 'product', args });
          requireViewer(ctx.viewer);
          return this.products.get(args.id) ?? null;
        },
        stockLevels: (_: unknown, args: { productId: string; depotIds: string[] }, ctx: BaseContext) => {
          this.calls.push({ field: 'stockLevels', args });
          requireViewer(ctx.viewer);
          return args.depotIds.flatMap((depotId) => {
            const available = this.available.get(`${depotId}:${args.productId}`);
            return available === undefined ? [] : [{ depot: { id: depotId }, available }];
          });
        },
      },
    };
  }
}

/** A server that accepts every request and never answers: a dependency that hangs. */
export async function startBlackHole(): Promise<{
  url: string;
  requests: () => number;
  stop: () => Promise<void>;
}> {
  let requests = 0;
  const server = http.createServer(() => {
    requests += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    requests: () => requests,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
