import { createHash } from 'node:crypto';
import {
  GraphQLError,
  getOperationAST,
  parse,
  validate,
  type DocumentNode,
  type FormattedExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { ErrorCode } from '@flow/core';
import type { RouterContext } from '../context';
import { authorizationError, findViolations, type AuthRequirements } from '../auth/declarative';
import { BudgetExceededError, type Admission, type AdmitRequest } from '../budget';
import { releaseWhenDone } from '../usage/caps';
import { ByteLru } from './byte-lru';
import type { Executor, SubscriptionHub } from './hub';
import { badRequest, parseFailed, validationFailed } from './request-errors';
import { authorizationScope, snapshotRules, type SnapshotRule } from './snapshots';
import { planSnapshot, type SnapshotPlan } from './transform';

export interface OperationRequest {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

export interface PrepareOptions {
  /** A GET request: it may run queries and subscriptions only (a mutation is refused with 405). */
  readOnly?: boolean;
}

/**
 * What a transport does with a request: answer errors, run a query once, or stream a
 * subscription. Errors and results are already formatted (masked for production), as on HTTP.
 */
export type PreparedOperation =
  | {
      kind: 'errors';
      errors: readonly GraphQLFormattedError[];
      /** Set when the request is refused as a whole (HTTP status it would get from Apollo). */
      status?: number;
    }
  | { kind: 'single'; document: DocumentNode; run: () => Promise<FormattedExecutionResult> }
  | {
      kind: 'stream';
      document: DocumentNode;
      start: () => AsyncIterableIterator<FormattedExecutionResult>;
    };

export interface OperationsOptions {
  schema: () => GraphQLSchema;
  hub: SubscriptionHub;
  execute: Executor;
  /** The operation budget, shared with HTTP (gateway.ts): throws when the operation is over it. */
  admit: (request: AdmitRequest, context: RouterContext) => Admission;
  /** The parser's token limit (MAX_QUERY_TOKENS), as on HTTP. */
  maxTokens: number;
  requirements: AuthRequirements;
  formatError: (error: GraphQLError) => GraphQLFormattedError;
  /** Production: validation errors name no field the client did not ask for ("Did you mean …?"). */
  hideSuggestions: boolean;
  /** Bound of the parsed-document cache, in estimated bytes of the documents and plans it holds. */
  cacheMaxBytes: number;
  /** Told the cache's size after every change (for a metric). */
  onCacheChange?: (bytes: number, entries: number) => void;
  /** Spends the operation's rate-limit points (throws RATE_LIMITED). */
  charge?: (context: RouterContext) => Promise<void>;
}

/**
 * Estimated heap bytes per character of document text once parsed (graphql-js AST with locations
 * measures 85–100), so that the cache bound is a bound on memory, not on text.
 */
const BYTES_PER_CHARACTER = 100;

interface CachedDocument {
  document: DocumentNode | null;
  errors: readonly GraphQLError[];
  /** Snapshot plans of its subscription operations, by operation name ('' when anonymous). */
  plans: Map<string, SnapshotPlan>;
  bytes: number;
}

/**
 * The part of serving an operation that both live transports share (graphql-ws and SSE): parse
 * and validate against the API schema, the router's limits and declarative auth, then either a
 * single execution through the gateway or a subscription through the hub, after checking the
 * subscriber may watch what it asks for.
 *
 * Parsed documents and plans are cached by a hash of the text in an LRU bounded by bytes, and only
 * for signed-in viewers: an anonymous client can make the router parse, never remember.
 */
export function createOperations(options: OperationsOptions) {
  const cache = new ByteLru<CachedDocument>(options.cacheMaxBytes, options.onCacheChange);
  const format = (error: unknown) =>
    options.formatError(error instanceof GraphQLError ? error : new GraphQLError(String(error)));
  const refuse = (error: GraphQLError, status?: number): PreparedOperation => ({
    kind: 'errors',
    errors: [format(error)],
    ...(status ? { status } : {}),
  });

  const documentOf = (query: string, key: string, remember: boolean): CachedDocument => {
    const cached = cache.get(key);
    if (cached) return cached;
    const bytes = Buffer.byteLength(query) * BYTES_PER_CHARACTER;
    let entry: CachedDocument;
    try {
      const document = parse(query, { maxTokens: options.maxTokens });
      const errors = validate(options.schema(), document).map((error) =>
        validationFailed(error, options.hideSuggestions),
      );
      entry = { document, errors, plans: new Map(), bytes };
    } catch (error) {
      const parseError = error instanceof GraphQLError ? parseFailed(error) : badRequest(String(error));
      entry = { document: null, errors: [parseError], plans: new Map(), bytes };
    }
    if (remember) cache.set(key, entry, entry.bytes);
    return entry;
  };

  const planOf = (
    entry: CachedDocument,
    key: string,
    operation: OperationDefinitionNode,
    remember: boolean,
  ): SnapshotPlan => {
    const name = operation.name?.value ?? '';
    const known = entry.plans.get(name);
    if (known) return known;
    const plan = planSnapshot(entry.document!, operation, snapshotRules);
    if (remember) {
      entry.plans.set(name, plan);
      entry.bytes += Buffer.byteLength(plan.query) * BYTES_PER_CHARACTER;
      cache.set(key, entry, entry.bytes);
    }
    return plan;
  };

  return async (
    request: OperationRequest,
    context: RouterContext,
    prepareOptions: PrepareOptions = {},
  ): Promise<PreparedOperation> => {
    const remember = context.viewer !== null;
    const key = createHash('sha256').update(request.query).digest('base64url');
    const entry = documentOf(request.query, key, remember);
    const { document, errors } = entry;
    if (!document || errors.length > 0) return { kind: 'errors', errors: errors.map(format) };
    const operation = getOperationAST(document, request.operationName ?? undefined);
    if (!operation)
      return refuse(
        badRequest(
          request.operationName
            ? `Unknown operation named "${request.operationName}".`
            : 'Must provide operation name if query contains multiple operations.',
        ),
      );
    // As Apollo does for HTTP GET: a GET must not change anything (it needs no preflight).
    if (prepareOptions.readOnly && operation.operation === 'mutation')
      return refuse(badRequest('GET requests only support query and subscription operations.'), 405);
    const variables = request.variables ?? {};
    try {
      let cost: Admission['cost'];
      try {
        ({ cost } = options.admit({ document, operation, variables, schema: options.schema() }, context));
      } catch (error) {
        // Over the budget: refused as a whole, with the status HTTP gives (400).
        if (error instanceof BudgetExceededError) return refuse(error, 400);
        throw error;
      }
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
          run: async () => {
            try {
              const result = await options.execute(request.query, variables, context, request.operationName);
              return { ...result, extensions: { ...result.extensions, cost } };
            } catch (error) {
              // A failure of the gateway itself: one error result, never a dropped socket.
              context.logger.error({ err: error }, 'operation failed');
              return { errors: [format(error)] };
            }
          },
        };

      const plan = planOf(entry, key, operation, remember);
      const rule = snapshotRules[plan.field]!;
      const args = rootArguments(operation, variables);
      // Counted against the caps before the access check, so a refused one calls no subgraph.
      const lease = context.viewer ? context.usage?.admitSubscription(context.viewer.userId, key) : undefined;
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
