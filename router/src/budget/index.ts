// The operation budget: every limit an operation must fit before the gateway plans it. Planning
// is the router's expensive step (the query planner expands every fragment: a 1.5 KB fragment
// bomb took it 6 s); parse and validate stay cheap within the token limit. So HTTP (POST and GET,
// in the Apollo plugin's didResolveOperation) and the live transports (SSE and WebSocket, in
// subscriptions/operations.ts) call the same `admit` right after validation, before planning.
import { GraphQLError, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { RouterErrorCode } from '@flow/core';
import { measureDocument, measureOperation, SATURATED, type OperationShape } from './measure';
import type { CostModel } from './model';

export { measureDocument, measureOperation, type OperationShape } from './measure';
export { readCostModel, emptyCostModel, type CostModel } from './model';

export interface OperationBudget {
  maxDepth: number;
  maxAliases: number;
  maxSelections: number;
  maxFragmentSpreads: number;
  maxDirectives: number;
  maxCost: number;
  /** List size assumed for a list field with no slicing argument and no `@listSize(assumedSize)`. */
  defaultListSize: number;
}

/** Which limit refused an operation: the `reason` label of flow_router_operations_refused_total. */
export type BudgetMeasure = 'depth' | 'aliases' | 'selections' | 'fragment_spreads' | 'directives' | 'cost';

export class BudgetExceededError extends GraphQLError {
  constructor(
    readonly measure: BudgetMeasure,
    code: RouterErrorCode,
    message: string,
    extensions: Record<string, unknown>,
  ) {
    super(message, { extensions: { code, measure, ...extensions, http: { status: 400 } } });
  }
}

const amount = (value: number) => (value >= SATURATED ? `more than ${SATURATED}` : String(value));

interface Check {
  measure: BudgetMeasure;
  code: RouterErrorCode;
  /** The extension key that carries the measured value (`depth` and `aliases` predate the budget). */
  key: string;
  value: (shape: OperationShape) => number;
  limit: (budget: OperationBudget) => number;
  message: (value: string, limit: number) => string;
}

const CHECKS: Check[] = [
  {
    measure: 'depth',
    code: RouterErrorCode.QUERY_TOO_DEEP,
    key: 'depth',
    value: (s) => s.depth,
    limit: (b) => b.maxDepth,
    message: (v, l) => `The operation is nested ${v} levels deep; the limit is ${l}.`,
  },
  {
    measure: 'aliases',
    code: RouterErrorCode.TOO_MANY_ALIASES,
    key: 'aliases',
    value: (s) => s.aliases,
    limit: (b) => b.maxAliases,
    message: (v, l) => `The operation uses ${v} aliases; the limit is ${l}.`,
  },
  {
    measure: 'selections',
    code: RouterErrorCode.TOO_MANY_SELECTIONS,
    key: 'selections',
    value: (s) => s.selections,
    limit: (b) => b.maxSelections,
    message: (v, l) =>
      `The operation selects ${v} fields once its fragments are expanded; the limit is ${l}.`,
  },
  {
    measure: 'fragment_spreads',
    code: RouterErrorCode.TOO_MANY_FRAGMENT_SPREADS,
    key: 'fragmentSpreads',
    value: (s) => s.fragmentSpreads,
    limit: (b) => b.maxFragmentSpreads,
    message: (v, l) => `The operation spreads fragments ${v} times once expanded; the limit is ${l}.`,
  },
  {
    measure: 'directives',
    code: RouterErrorCode.TOO_MANY_DIRECTIVES,
    key: 'directives',
    value: (s) => s.directives,
    limit: (b) => b.maxDirectives,
    message: (v, l) => `The operation uses ${v} directives once expanded; the limit is ${l}.`,
  },
  {
    measure: 'cost',
    code: RouterErrorCode.COST_LIMIT_EXCEEDED,
    key: 'cost',
    value: (s) => s.cost,
    limit: (b) => b.maxCost,
    message: (v, l) => `The operation's estimated cost is ${v}; the limit is ${l}.`,
  },
];

export interface Admission {
  shape: OperationShape;
  /** For `extensions.cost` in responses. */
  cost: { estimated: number; maximum: number };
}

export interface AdmitRequest {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  variables?: Record<string, unknown> | null;
  schema?: GraphQLSchema;
}

/** Measures an operation; throws BudgetExceededError (HTTP 400, a stable code) when over a limit. */
export function admitOperation(request: AdmitRequest, budget: OperationBudget, model: CostModel): Admission {
  const shape = measureOperation(request.document, request.operation, {
    schema: request.schema,
    model,
    variables: request.variables,
    defaultListSize: budget.defaultListSize,
  });
  enforce(shape, budget, CHECKS);
  return { shape, cost: { estimated: shape.cost, maximum: budget.maxCost } };
}

/**
 * Before validation: every definition of the document (the operations that will not run and
 * fragments nobody spreads too, since validation walks them all) within the shape limits.
 */
export function admitDocument(document: DocumentNode, budget: OperationBudget): void {
  enforce(
    measureDocument(document),
    budget,
    CHECKS.filter((check) => check.measure !== 'cost'),
  );
}

function enforce(shape: OperationShape, budget: OperationBudget, checks: Check[]) {
  for (const check of checks) {
    const value = check.value(shape);
    const limit = check.limit(budget);
    if (value <= limit) continue;
    const extensions: Record<string, unknown> = { [check.key]: value, limit };
    if (check.measure === 'cost' && shape.costliestRootField) extensions.path = [shape.costliestRootField];
    throw new BudgetExceededError(check.measure, check.code, check.message(amount(value), limit), extensions);
  }
}
