# One image for every Flow process; docker-compose.yml picks the entry point per service
# (`node <workspace>/dist/server.js`). No Docker engine runs on the development machines here:
# test/deployment.test.ts checks this file and docker-compose.yml against the project instead.

# Dependencies first, from the package.json files and the lockfile only: this layer is rebuilt
# when a dependency changes, not when the code does. Scripts are skipped here (postinstall
# generates from prisma/ and schema/, which are not copied yet); the build stage runs it.
FROM node:20-bookworm-slim AS dependencies
WORKDIR /app
ENV APOLLO_TELEMETRY_DISABLED=1 TURBO_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1
COPY package.json package-lock.json ./
COPY packages/contracts/package.json packages/contracts/
COPY packages/core/package.json packages/core/
COPY packages/dev-tools/package.json packages/dev-tools/
COPY packages/live/package.json packages/live/
COPY packages/messaging/package.json packages/messaging/
COPY packages/rate-limit/package.json packages/rate-limit/
COPY packages/subgraph-kit/package.json packages/subgraph-kit/
COPY packages/testing/package.json packages/testing/
COPY router/package.json router/
COPY subgraphs/users/package.json subgraphs/users/
COPY subgraphs/locations/package.json subgraphs/locations/
COPY subgraphs/inventory/package.json subgraphs/inventory/
COPY subgraphs/pricing/package.json subgraphs/pricing/
COPY subgraphs/payments/package.json subgraphs/payments/
COPY subgraphs/notifications/package.json subgraphs/notifications/
COPY subgraphs/reviews/package.json subgraphs/reviews/
COPY subgraphs/admin/package.json subgraphs/admin/
COPY subgraphs/orders/package.json subgraphs/orders/
RUN npm ci --ignore-scripts --no-audit --no-fund

# The build: generated Prisma clients and resolver types, then tsc -b into each workspace's dist/.
FROM dependencies AS build
COPY . .
RUN npm run generate && npm run build

# The runtime: production dependencies only, the compiled output, and what it reads at run time
# (schema/ for the SDL, the supergraph and the trusted documents; prisma/ for the migrations;
# the router's explorer sources, bundled when the router starts).
FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production APOLLO_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1 FLOW_DATA_DIR=/data
# glibc's malloc as `npm start` sets it (scripts/lib/node-settings.ts, README "Build", "Footprint").
ENV MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=32768
COPY package.json package-lock.json ./
COPY packages/contracts/package.json packages/contracts/
COPY packages/core/package.json packages/core/
COPY packages/dev-tools/package.json packages/dev-tools/
COPY packages/live/package.json packages/live/
COPY packages/messaging/package.json packages/messaging/
COPY packages/rate-limit/package.json packages/rate-limit/
COPY packages/subgraph-kit/package.json packages/subgraph-kit/
COPY packages/testing/package.json packages/testing/
COPY router/package.json router/
COPY subgraphs/users/package.json subgraphs/users/
COPY subgraphs/locations/package.json subgraphs/locations/
COPY subgraphs/inventory/package.json subgraphs/inventory/
COPY subgraphs/pricing/package.json subgraphs/pricing/
COPY subgraphs/payments/package.json subgraphs/payments/
COPY subgraphs/notifications/package.json subgraphs/notifications/
COPY subgraphs/reviews/package.json subgraphs/reviews/
COPY subgraphs/admin/package.json subgraphs/admin/
COPY subgraphs/orders/package.json subgraphs/orders/
COPY scripts/generate.mjs scripts/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY schema schema/
COPY prisma prisma/
COPY router/explorer router/explorer/
COPY --from=build /app/packages/contracts/dist packages/contracts/dist/
COPY --from=build /app/packages/core/dist packages/core/dist/
COPY --from=build /app/packages/dev-tools/dist packages/dev-tools/dist/
COPY --from=build /app/packages/live/dist packages/live/dist/
COPY --from=build /app/packages/messaging/dist packages/messaging/dist/
COPY --from=build /app/packages/rate-limit/dist packages/rate-limit/dist/
COPY --from=build /app/packages/subgraph-kit/dist packages/subgraph-kit/dist/
COPY --from=build /app/packages/testing/dist packages/testing/dist/
COPY --from=build /app/router/dist router/dist/
COPY --from=build /app/subgraphs/users/dist subgraphs/users/dist/
COPY --from=build /app/subgraphs/locations/dist subgraphs/locations/dist/
COPY --from=build /app/subgraphs/inventory/dist subgraphs/inventory/dist/
COPY --from=build /app/subgraphs/pricing/dist subgraphs/pricing/dist/
COPY --from=build /app/subgraphs/payments/dist subgraphs/payments/dist/
COPY --from=build /app/subgraphs/notifications/dist subgraphs/notifications/dist/
COPY --from=build /app/subgraphs/reviews/dist subgraphs/reviews/dist/
COPY --from=build /app/subgraphs/admin/dist subgraphs/admin/dist/
COPY --from=build /app/subgraphs/orders/dist subgraphs/orders/dist/
# The users subgraph keeps its signing keys in the data folder when none are configured.
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
# Every process listens on PORT and answers /health/ready once its dependencies are reachable.
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The router's flags in a deployment (ROUTER_NODE_ARGS in scripts/lib/node-settings.ts).
CMD ["node", "--max-semi-space-size=16", "--max-old-space-size=256", "router/dist/server.js"]
