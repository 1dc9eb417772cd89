# One image for every Flow process; docker-compose.yml picks the entry point per service.
# (No Docker engine runs on the development machines here: this file is for deployments.)
FROM node:20-bookworm-slim
WORKDIR /app
ENV APOLLO_TELEMETRY_DISABLED=1 TURBO_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1
COPY . .
RUN npm ci --no-audit --no-fund
USER node
CMD ["node", "--import", "tsx", "router/src/server.ts"]
