// Where the budget is checked. Planning is the step a fragment bomb makes expensive, but
// validation is not cheap either on a large document: within the 10,000-token limit, 2,500
// copies of `me { id }` cost graphql-js about 0.7 s of OverlappingFieldsCanBeMerged. So the
// budget runs twice, both times on the same measure:
//   - on the raw text, right after a parse of its own and before validation: an Express
//     middleware for POST and GET, and a wrapper around the live transports' `prepare`;
//   - after validation, on the document Apollo (or the live transports) will plan: this one also
//     covers documents that arrive without text (automatic persisted queries) and sets the
//     estimate for the rate limiter and for `extensions.cost`.
import type { RequestHandler } from 'express';
import {
  getOperationAST,
  parse,
  type DocumentNode,
  type GraphQLError,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import type { RouterContext } from '../context';
import {
  admitDocument,
  admitOperation,
  BudgetExceededError,
  type Admission,
  type AdmitRequest,
  type OperationBudget,
} from './index';
import type { CostModel } from './model';
import { ByteLru } from '../subscriptions/byte-lru';

export interface BudgetGateOptions {
  budget: OperationBudget;
  maxTokens: number;
  model: CostModel;
  /** The API schema, once the gateway has loaded it. */
  schema: () => GraphQLSchema | null;
  onRefused: (error: BudgetExceededError) => void;
  format: (error: GraphQLError) => GraphQLFormattedError;
}

export interface TextRequest {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

export interface BudgetGate {
  /** After validation: throws BudgetExceededError, or records the estimate on the context. */
  admit: (request: AdmitRequest, context: RouterContext) => Admission;
  /**
   * Before validation: the refusal for this text, or null when the pipeline should go on (the
   * document fits, or the text does not parse: the pipeline answers that). Every definition is
   * measured, used or not, since validation walks them all.
   */
  refuseText: (request: TextRequest) => BudgetExceededError | null;
  /** POST and GET /graphql: answers 400 with the budget error before Apollo validates. */
  middleware: RequestHandler;
}

const record = (value: unknown): Record<string, unknown> | null =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;

function variablesOf(value: unknown): Record<string, unknown> | null {
  if (typeof value !== 'string') return record(value);
  try {
    return record(JSON.parse(value));
  } catch {
    return null;
  }
}

/** Admissions kept per parsed document (the same object for the same text: Apollo caches parses). */
const MAX_ADMISSIONS_PER_DOCUMENT = 64;
/** Texts that passed the check before validation, kept by their size (and their variables'). */
const ADMITTED_TEXTS_MAX_BYTES = 8 * 1024 * 1024;

export function createBudgetGate(options: BudgetGateOptions): BudgetGate {
  // The verdict depends only on the document, operation and variables (schema and model are
  // fixed): a text measured once is not measured again. Only admissions are kept; a refusal is
  // measured (and counted) every time.
  const admissions = new WeakMap<DocumentNode, Map<string, Admission>>();
  const admittedTexts = new ByteLru<true>(ADMITTED_TEXTS_MAX_BYTES);
  // Variables nested deeper than JSON.stringify's stack allows (a hostile client's) have no key:
  // such a request is measured every time instead of failing here.
  const variablesKey = (variables: Record<string, unknown> | null | undefined): string | undefined => {
    if (!variables) return '';
    try {
      return JSON.stringify(variables);
    } catch {
      return undefined;
    }
  };

  const check = (request: AdmitRequest): Admission => {
    const variables = variablesKey(request.variables);
    const key = variables === undefined ? undefined : `${request.operation.name?.value ?? ''}\n${variables}`;
    let known = admissions.get(request.document);
    const cached = key === undefined ? undefined : known?.get(key);
    if (cached && request.schema === options.schema()) return cached;
    let admission: Admission;
    try {
      admission = admitOperation(request, options.budget, options.model);
    } catch (error) {
      if (error instanceof BudgetExceededError) options.onRefused(error);
      throw error;
    }
    if (key !== undefined && request.schema === options.schema()) {
      if (!known) admissions.set(request.document, (known = new Map()));
      if (known.size >= MAX_ADMISSIONS_PER_DOCUMENT) known.clear();
      known.set(key, admission);
    }
    return admission;
  };

  const checkDocument = (document: DocumentNode) => {
    try {
      admitDocument(document, options.budget);
    } catch (error) {
      if (error instanceof BudgetExceededError) options.onRefused(error);
      throw error;
    }
  };

  const refuseText = (request: TextRequest): BudgetExceededError | null => {
    const schema = options.schema();
    if (!schema) return null;
    const variables = variablesKey(request.variables);
    const key =
      variables === undefined ? undefined : `${request.operationName ?? ''}\n${variables}\n${request.query}`;
    if (key !== undefined && admittedTexts.get(key)) return null;
    const refusal = measureText(request, schema);
    if (!refusal && key !== undefined) admittedTexts.set(key, true, key.length * 2 + 64);
    return refusal;
  };

  const measureText = (request: TextRequest, schema: GraphQLSchema): BudgetExceededError | null => {
    let document: DocumentNode;
    try {
      document = parse(request.query, { maxTokens: options.maxTokens, noLocation: true });
    } catch {
      return null;
    }
    const operation = getOperationAST(document, request.operationName ?? undefined);
    try {
      // The operation to run first, exactly (with its cost), then the rest of the document.
      if (operation) check({ document, operation, variables: request.variables, schema });
      checkDocument(document);
      return null;
    } catch (error) {
      if (error instanceof BudgetExceededError) return error;
      throw error;
    }
  };

  const middleware: RequestHandler = (req, res, next) => {
    const source = req.method === 'POST' ? record(req.body) : req.method === 'GET' ? record(req.query) : null;
    if (!source || typeof source.query !== 'string') return next();
    const refusal = refuseText({
      query: source.query,
      variables: variablesOf(source.variables),
      operationName: typeof source.operationName === 'string' ? source.operationName : null,
    });
    if (!refusal) return next();
    const { http: _http, ...extensions } = options.format(refusal).extensions ?? {};
    res.status(400).json({ errors: [{ message: refusal.message, extensions }] });
  };

  return {
    admit: (request, context) => {
      const admission = check(request);
      context.operationCost = admission.cost.estimated;
      return admission;
    },
    refuseText,
    middleware,
  };
}
