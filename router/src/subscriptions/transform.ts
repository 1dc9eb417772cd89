import {
  Kind,
  parseType,
  print,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type VariableDefinitionNode,
} from 'graphql';
import { badRequest } from './request-errors';
import type { SnapshotRule } from './snapshots';

/** A subscription turned into the query that answers each of its events. */
export interface SnapshotPlan {
  /** The subscription's root field, e.g. orderUpdated. */
  field: string;
  /** Where the answer goes in each result: the field's alias or name. */
  responseKey: string;
  /** The query, printed: `query { <responseKey>: <queryField>(<args from the event>) <selection> }`. */
  query: string;
  /** Variable names (of the query) that carry the event's arguments, by query argument. */
  eventVariables: Record<string, string>;
}

const EVENT_VARIABLE_PREFIX = 'flowEvent_';

/**
 * The query that reads, for one event, exactly what the subscriber selected. The subscription's
 * selection set and fragments are kept as they are; its root field becomes the rule's query
 * field with arguments taken from the event; variables the query no longer uses are dropped.
 */
export function planSnapshot(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  rules: Record<string, SnapshotRule>,
): SnapshotPlan {
  const roots = operation.selectionSet.selections;
  const root = roots[0];
  if (roots.length !== 1 || root?.kind !== Kind.FIELD)
    throw badRequest('A subscription selects exactly one root field, without fragments.');
  const field = root.name.value;
  const rule = rules[field];
  if (!rule) throw badRequest(`Subscription.${field} is not served.`);

  const eventVariables = Object.fromEntries(
    Object.keys(rule.queryArgs).map((name) => [name, `${EVENT_VARIABLE_PREFIX}${name}`]),
  );
  const queryField: FieldNode = {
    ...root,
    alias: { kind: Kind.NAME, value: root.alias?.value ?? field },
    name: { kind: Kind.NAME, value: rule.queryField },
    arguments: Object.entries(eventVariables).map(([argument, variable]) => ({
      kind: Kind.ARGUMENT,
      name: { kind: Kind.NAME, value: argument },
      value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: variable } },
    })),
  };
  const fragments = document.definitions.filter(
    (d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION,
  );
  const used = usedVariables(queryField, fragments);
  const eventDefinitions: VariableDefinitionNode[] = Object.entries(eventVariables).map(
    ([argument, variable]) => ({
      kind: Kind.VARIABLE_DEFINITION,
      variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: variable } },
      type: parseType(rule.queryArgs[argument]!),
    }),
  );
  const query: OperationDefinitionNode = {
    kind: Kind.OPERATION_DEFINITION,
    operation: 'query' as OperationDefinitionNode['operation'],
    name: operation.name,
    variableDefinitions: [
      ...(operation.variableDefinitions ?? []).filter((d) => used.has(d.variable.name.value)),
      ...eventDefinitions,
    ],
    directives: [],
    selectionSet: { kind: Kind.SELECTION_SET, selections: [queryField] },
  };
  return {
    field,
    responseKey: root.alias?.value ?? field,
    query: print({ kind: Kind.DOCUMENT, definitions: [query, ...fragments] }),
    eventVariables,
  };
}

function usedVariables(field: FieldNode, fragments: FragmentDefinitionNode[]): Set<string> {
  const used = new Set<string>();
  const collect = (node: FieldNode | FragmentDefinitionNode) =>
    visit(node, {
      Variable: (variable) => {
        used.add(variable.name.value);
      },
    });
  collect({ ...field, arguments: [] });
  fragments.forEach(collect);
  return used;
}
