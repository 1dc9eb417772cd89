import type { Express, NextFunction, Request, Response } from 'express';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * SQL statements this process sent, by subgraph database. Wired to Prisma's query event; lets
 * tests and operators see that a query's statement count does not grow with its result size.
 */
export const databaseStatements = new Counter({
  name: 'flow_db_statements_total',
  help: 'SQL statements sent to the database',
  registers: [],
});

/** Pass to a Prisma client's query event: `prisma.$on('query', countStatement)`. */
export const countStatement = () => databaseStatements.inc();

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  graphqlOperations: Counter<'operation' | 'type' | 'outcome'>;
}

/** One registry per process with default Node metrics, HTTP latency and GraphQL operation counts. */
export function createMetrics(processName: string): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ process: processName });
  collectDefaultMetrics({ register: registry });
  registry.registerMetric(databaseStatements);
  return {
    registry,
    httpDuration: new Histogram({
      name: 'flow_http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    graphqlOperations: new Counter({
      name: 'flow_graphql_operations_total',
      help: 'GraphQL operations by name, type and outcome',
      labelNames: ['operation', 'type', 'outcome'],
      registers: [registry],
    }),
  };
}

/** Times every request (mounted first); returns that middleware, for a route served without Express. */
export function mountMetrics(app: Express, metrics: Metrics) {
  const timed = (req: Request, res: Response, next: NextFunction) => {
    const stop = metrics.httpDuration.startTimer({ method: req.method });
    // Bounded labels: every probe of an unknown path shares one series.
    res.on('finish', () => {
      const path = req.originalUrl.split('?')[0] ?? '';
      const route = path.startsWith('/health') ? '/health' : res.statusCode === 404 ? 'unmatched' : path;
      stop({ route, status: String(res.statusCode) });
    });
    next();
  };
  app.use(timed);
  app.get('/metrics', async (_req: Request, res: Response) => {
    res.set('content-type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });
  return timed;
}

/** The part of a generated Prisma client that emits query events. */
interface QueryEventSource {
  $on(event: 'query', listener: (event: { query: string }) => void): void;
}

/**
 * Counts every statement of a Prisma client (created with `log: [{ emit: 'event', level: 'query' }]`)
 * in `flow_db_statements_total`, and shows each to `onQuery` (tests) too.
 */
export function observeStatements<Client>(prisma: Client, onQuery?: (sql: string) => void): Client {
  (prisma as unknown as QueryEventSource).$on('query', (event) => {
    countStatement();
    onQuery?.(event.query);
  });
  return prisma;
}
