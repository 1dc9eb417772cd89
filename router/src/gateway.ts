// Apollo Server + Gateway: parse (token limit), validate, the operation budget on the operation to
// plan (and its cost estimate), declarative auth (@authenticated, @requiresScopes), sign-in
// throttle per client address, rate limits (the operation's cost as points per user, organization
// and address; usage/), plan, signed calls to the subgraphs.
import type { Server } from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { RequestHandler } from 'express';
import type { GraphQLError, GraphQLSchema } from 'graphql';
import { invalidTextError, type Logger } from '@flow/core';
import { apolloHandler } from './apollo-http';
import type { RequestAuth } from './auth/authenticate';
import { authorizationError } from './auth/declarative';
import type { Admission } from './budget';
import { createBudgetGate, type BudgetGate } from './budget/gate';
import { operationNotFoundError, requestMistake, subscriptionNeedsStreamError } from './client-mistakes';
import type { RouterContext } from './context';
import { CSRF_PREVENTION_HEADERS } from './csrf';
import { SignedDataSource } from './datasource';
import type { RouterConfig } from './env';
import { formatRouterError, isUnexpected } from './errors';
import type { RouterMetrics } from './metrics';
import { cachedInvalidText, cachedViolations } from './operation-checks';
import { levelQueryPlans } from './plan-levels';
import type { SignInThrottle } from './rate-limit';
import type { Executor } from './subscriptions/hub';
import type { PreparedSupergraph } from './supergraph';
import type { ApqCache } from './trusted-documents/apq-cache';
import type { OperationRateLimits } from './usage/rate-limits';

export interface GatewayOptions {
  config: RouterConfig;
  logger: Logger;
  supergraph: PreparedSupergraph;
  urls: ReadonlyMap<string, string>;
  /** Subgraphs that are not Flow's (SUBGRAPH_URLS=supergraph): one operation per request, no batch. */
  foreign?: ReadonlySet<string>;
  metrics: RouterMetrics;
  /** Drained by Apollo on stop: in-flight requests finish first. */
  httpServer: Server;
  apqCache: ApqCache;
  signInThrottle?: SignInThrottle;
  operationRateLimits?: OperationRateLimits;
}

export interface RouterGateway {
  apollo: ApolloServer<RouterContext>;
  /** The one admission path of every transport (budget/gate.ts). */
  budgetGate: BudgetGate;
  /** The API schema the gateway serves; throws until it has loaded. */
  schema: () => GraphQLSchema;
  /** Runs an operation through the gateway, as the live transports do for every update. */
  execute: Executor;
  /** Drops the kept-alive connections to the subgraphs (after Apollo has stopped). */
  closeSubgraphClients: () => void;
  /** A formatted GraphQL error, as the HTTP transport would send it. */
  formatError: (error: GraphQLError) => ReturnType<typeof formatRouterError>;
}

export function createGateway(options: GatewayOptions): RouterGateway {
  const { config, logger, supergraph, urls, metrics, signInThrottle, operationRateLimits } = options;
  const production = config.production;
  let apiSchema: GraphQLSchema | null = null;
  const dataSources: SignedDataSource[] = [];
  const gateway = new ApolloGateway({
    supergraphSdl: supergraph.gatewaySdl,
    logger: logger.child({ component: 'gateway' }),
    __exposeQueryPlanExperimental: !production,
    buildService: ({ name }) => {
      const dataSource = new SignedDataSource({
        name,
        url: urls.get(name) ?? '',
        secret: config.signingSecret,
        logger: logger.child({ component: 'subgraph-client', subgraph: name }),
        timeoutMs: config.subgraphTimeoutMs,
        placeOrderTimeoutMs: options.foreign?.has(name) ? undefined : config.placeOrderTimeoutMs,
        batching: !options.foreign?.has(name),
        ownSockets: !options.foreign?.has(name),
        duration: metrics.subgraphDuration,
      });
      dataSources.push(dataSource);
      return dataSource;
    },
  });
  gateway.onSchemaLoadOrUpdate(({ apiSchema: loaded }) => {
    apiSchema = loaded;
  });
  // Parallel branches' fetches to one subgraph lined up, so batching makes them one call.
  if (config.queryPlanLevels) levelQueryPlans(gateway, logger.child({ component: 'plan-levels' }));

  // On the raw text before validation, and on the validated document before planning.
  const budgetGate = createBudgetGate({
    budget: config.limits,
    maxTokens: config.limits.maxTokens,
    model: supergraph.costModel,
    schema: () => apiSchema,
    onRefused: (error) => metrics.refused.inc({ reason: error.measure }),
    format: (error) => formatRouterError(error.toJSON(), production),
  });

  const routerPlugin: ApolloServerPlugin<RouterContext> = {
    async requestDidStart() {
      let admission: Admission | undefined;
      return {
        async didResolveOperation({ document, operation, operationName, contextValue, schema, request }) {
          if (operationName) contextValue.noteOperationName(operationName);
          // Client mistakes the gateway would otherwise answer with a 500 (src/client-mistakes.ts).
          // Counted in willSendResponse, with the other client mistakes.
          if (!operation) throw operationNotFoundError(request.operationName);
          // SSE and graphql-ws never reach Apollo with a subscription (they go through the hub).
          if (operation.operation === 'subscription') throw subscriptionNeedsStreamError();
          // The subgraphs refuse it as well; here it costs no plan and no subgraph call.
          const invalidText = cachedInvalidText(document, operation, request.variables);
          if (invalidText) throw invalidTextError(invalidText, 400);
          admission = budgetGate.admit(
            { document, operation, variables: request.variables, schema },
            contextValue,
          );
          const violations = cachedViolations({
            schema,
            document,
            operation,
            requirements: supergraph.requirements,
            viewer: contextValue.viewer,
          });
          if (violations.length > 0) {
            metrics.refused.inc({ reason: contextValue.viewer ? 'forbidden' : 'unauthenticated' });
            contextValue.logger.info(
              { operationName, fields: violations.slice(0, 10).map((v) => `${v.path} (${v.coordinate})`) },
              'operation refused by declarative auth',
            );
            throw authorizationError(violations, contextValue.viewer);
          }
          await signInThrottle?.check({
            document,
            operation,
            clientAddress: contextValue.clientAddress,
            logger: contextValue.logger,
          });
          await operationRateLimits?.charge(contextValue);
        },
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            if (!isUnexpected(error.extensions?.code, error)) continue;
            contextValue.logger.error(
              {
                err: error.originalError ?? error,
                path: error.path,
                serviceName: error.extensions?.serviceName,
                code: error.extensions?.code,
              },
              'unexpected error',
            );
          }
        },
        async willSendResponse({ operationName, operation, errors, contextValue, request, response }) {
          // HTTP clients read the estimate here; SSE and WebSocket results get it in operations.ts.
          if (admission && request.http && response.body.kind === 'single') {
            const result = response.body.singleResult;
            result.extensions = { ...result.extensions, cost: admission.cost };
          }
          // A client mistake answered without data gets its 4xx (Apollo says 200 or 500 for some).
          if (response.body.kind === 'single' && response.body.singleResult.data === undefined) {
            const mistake = requestMistake(response.http.status, response.body.singleResult.errors ?? []);
            if (mistake) metrics.refused.inc({ reason: mistake.code.toLowerCase() });
            if (mistake?.status) response.http.status = mistake.status;
          }
          metrics.graphqlOperations.inc({
            operation: metrics.operationLabel(operationName),
            type: operation?.operation ?? 'unknown',
            outcome: errors?.length ? 'error' : 'ok',
          });
          contextValue.logger.debug({ operationName }, 'operation done');
        },
      };
    },
  };

  const apollo = new ApolloServer<RouterContext>({
    gateway,
    // The explorer's docs and completion read the schema by introspection.
    introspection: !production || config.explorer,
    includeStacktraceInErrorResponses: !production,
    hideSchemaDetailsFromClientErrors: production,
    formatError: (formatted, original) => formatRouterError(formatted, production, original),
    parseOptions: { maxTokens: config.limits.maxTokens },
    allowBatchedHttpRequests: false,
    // Who may register is decided before Apollo (trusted-documents/resolve.ts).
    persistedQueries: { cache: options.apqCache, ttl: config.apq.ttlSeconds },
    // The same header list as the SSE transport's check (src/csrf.ts): one rule for both.
    csrfPrevention: { requestHeaders: CSRF_PREVENTION_HEADERS },
    // Shutdown belongs to server.ts (onShutdownSignal); Apollo's own handler would re-raise the signal.
    stopOnTerminationSignals: false,
    logger: logger.child({ component: 'apollo' }),
    plugins: [
      ApolloServerPluginDrainHttpServer({
        httpServer: options.httpServer,
        stopGracePeriodMillis: config.shutdownGraceMs,
      }),
      ApolloServerPluginLandingPageDisabled(), // the explorer is served by src/explorer.ts
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      routerPlugin,
    ],
  });

  return {
    apollo,
    budgetGate,
    schema: () => {
      if (!apiSchema) throw new Error('the gateway has not loaded its schema');
      return apiSchema;
    },
    execute: async (query, variables, context, operationName) => {
      const response = await apollo.executeOperation(
        { query, variables, operationName: operationName ?? undefined },
        { contextValue: context },
      );
      if (response.body.kind !== 'single') throw new Error('incremental delivery is not supported here');
      return response.body.singleResult;
    },
    closeSubgraphClients: () => {
      for (const dataSource of dataSources) dataSource.close();
    },
    // As Apollo does on HTTP: `extensions.http` sets the status there and never reaches a client.
    formatError: (error) => {
      const { http: _http, ...extensions } = error.extensions;
      return formatRouterError({ ...error.toJSON(), extensions }, production, error);
    },
  };
}

/** The last handler of POST/GET /graphql: the request's context, then Apollo. */
export function gatewayMiddleware(apollo: ApolloServer<RouterContext>): RequestHandler {
  return apolloHandler(apollo, {
    context: async ({ req, res }): Promise<RouterContext> => {
      const auth = res.locals.auth as RequestAuth;
      return {
        requestId: req.requestId,
        viewer: auth.viewer,
        authorization: auth.authorization,
        clientAddress: req.ip ?? req.socket.remoteAddress ?? null,
        logger: res.locals.logger as Logger,
        noteOperationName: (name) => {
          res.locals.operationName = name;
        },
      };
    },
  });
}
