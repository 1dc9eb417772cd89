import {
  GraphQLError,
  getOperationAST,
  parse,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { ErrorCode } from '@flow/platform';
import type { RouterContext } from '../context';
import { authorizationError, findViolations, type AuthRequirements } from '../auth/declarative';
import { enforceLimits, type OperationLimits } from '../limits';
import { releaseWhenDone } from '../usage/caps';
import type { Executor, SubscriptionHub } from './hub';
import { authorizationScope, snapshotRules, type SnapshotRule } from './snapshots';
import { planSnapshot, type SnapshotPlan } from './transform';

export interface OperationRequest {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

/** What a transport does with a request: answer errors, run a query once, or stream a subscription. */
export type PreparedOperation =
  | { kind: 'errors'; errors: readonly GraphQLError[] }
  | { kind: 'single'; document: DocumentNode; run: () => Promise<ExecutionResult> }
  | { kind: 'stream'; document: DocumentNode; start: () => AsyncIterableIterator<ExecutionResult> };

export interface OperationsOptions {
  schema: () => GraphQLSchema;
  hub: SubscriptionHub;
  execute: Executor;
  limits: OperationLimits;
  requirements: AuthRequirements;
  formatError: (error: GraphQLError) => GraphQLError;
  /** Spends the operation's rate-limit points (throws RATE_LIMITED). */
  charge?: (context: RouterContext) => Promise<void>;
}

const CACHE_LIMIT = 500;

function remember<V>(cache: Map<string, V>, key: string, value: V): V {
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, value);
  return value;
}

/**
 * The part of serving an operation that both live transports share (graphql-ws and SSE): parse
 * and validate against the API schema (cached per document), the router's limits and declarative
 * auth, then either a single execution through the gateway or a subscription through the hub,
 * after checking the subscriber may watch what it asks for.
 */
export function createOperations(options: OperationsOptions) {
  const documents = new Map<string, { document: DocumentNode | null; errors: readonly GraphQLError[] }>();
  const plans = new Map<string, SnapshotPlan>();
  const format = (error: unknown) =>
    options.formatError(error instanceof GraphQLError ? error : new GraphQLError(String(error)));

  const documentOf = (query: string) => {
    const cached = documents.get(query);
    if (cached) return cached;
    try {
      const document = parse(query, { maxTokens: 10_000 });
      return remember(documents, query, { document, errors: validate(options.schema(), document) });
    } catch (error) {
      return remember(documents, query, { document: null, errors: [error as GraphQLError] });
    }
  };

  return async (request: OperationRequest, context: RouterContext): Promise<PreparedOperation> => {
    const { document, errors } = documentOf(request.query);
    if (!document || errors.length > 0) return { kind: 'errors', errors: errors.map(format) };
    const operation = getOperationAST(document, request.operationName ?? undefined);
    if (!operation) return { kind: 'errors', errors: [format(new GraphQLError('No operation to run.'))] };
    const variables = request.variables ?? {};
    try {
      enforceLimits(document, operation, options.limits);
      const violations = findViolations({
        schema: options.schema(),
        document,
        operation,
        requirements: options.requirements,
        viewer: context.viewer,
      });
      if (violations.length > 0) throw authorizationError(violations, context.viewer);
      await options.charge?.(context);
      if (operation.operation !== 'subscription')
        return {
          kind: 'single',
          document,
          run: async () => (await options.execute(request.query, variables, context)) as ExecutionResult,
        };

      const plan =
        plans.get(request.query) ??
        remember(plans, request.query, planSnapshot(document, operation, snapshotRules));
      const rule = snapshotRules[plan.field]!;
      const args = rootArguments(operation, variables);
      // Counted against the caps before the access check, so a refused one calls no subgraph.
      const lease = context.viewer ? context.usage?.admitSubscription(context.viewer.userId) : undefined;
      await checkAccess(rule, args, context, options.execute).catch((error: unknown) => {
        lease?.release();
        throw error;
      });
      const viewer = context.viewer!;
      const used = Object.fromEntries(
        Object.entries(variables).filter(([name]) => plan.query.includes(`$${name}`)),
      );
      return {
        kind: 'stream',
        document,
        start: () =>
          releaseWhenDone(
            options.hub.subscribe({
              topic: rule.topic(args, viewer),
              scope: authorizationScope(viewer),
              plan,
              variables: used,
              argsFor: (event) => rule.argsFor(args, event),
              context,
            }),
            lease ?? { release: () => {} },
          ),
      };
    } catch (error) {
      return { kind: 'errors', errors: [format(error)] };
    }
  };
}

/** The root field's arguments, with variables substituted (literals kept). */
function rootArguments(operation: OperationDefinitionNode, variables: Record<string, unknown>) {
  const root = operation.selectionSet.selections[0];
  if (!root || root.kind !== 'Field') return {};
  return Object.fromEntries(
    (root.arguments ?? []).map((argument) => {
      const value = argument.value;
      if (value.kind === 'Variable') return [argument.name.value, variables[value.name.value]];
      if (value.kind === 'StringValue' || value.kind === 'IntValue' || value.kind === 'EnumValue')
        return [argument.name.value, value.value];
      return [argument.name.value, null];
    }),
  );
}

/** NOT_FOUND, with no hint it exists, when the subscriber may not watch what it asks for. */
async function checkAccess(
  rule: SnapshotRule,
  args: Record<string, unknown>,
  context: RouterContext,
  execute: Executor,
) {
  if (!context.viewer)
    throw new GraphQLError('You must be signed in to do this.', {
      extensions: { code: ErrorCode.UNAUTHENTICATED },
    });
  if (!rule.access) return;
  const result = await execute(rule.access.query, rule.access.variables(args), context);
  if (result.errors?.length) {
    const error = result.errors[0]!;
    throw new GraphQLError(error.message, { extensions: { ...error.extensions } });
  }
  const data = result.data ? Object.values(result.data)[0] : null;
  if (!data) {
    const id = Object.values(rule.access.variables(args))[0];
    throw new GraphQLError(`${rule.access.entity} not found.`, {
      extensions: { code: ErrorCode.NOT_FOUND, entity: rule.access.entity, id },
    });
  }
}
