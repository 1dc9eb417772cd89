// Schema-change safety: does every operation of every registered client manifest still work
// against a newly composed supergraph? Checked against the API schema (what the router serves,
// @inaccessible removed), and, when the previous supergraph is known, against what changed in it:
// graphql's `validate` cannot see the variable values a client sends or the shape it expects back.
// What is and is not detected is listed in README.md ("Changing a subgraph's schema").
import { Supergraph } from '@apollo/federation-internals';
import {
  GraphQLError,
  TypeInfo,
  getNamedType,
  isAbstractType,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isListType,
  isNonNullType,
  parse,
  typeFromAST,
  validate,
  visit,
  visitWithTypeInfo,
  type ASTNode,
  type DocumentNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type GraphQLType,
  type OperationDefinitionNode,
} from 'graphql';
import type { ClientManifest, ManifestOperation } from './client-manifests';

export type Severity = 'break' | 'warning';

export interface CompatProblem {
  severity: Severity;
  client: string;
  operation: string;
  id: string;
  /** Schema coordinate the problem is about, e.g. `Order.notes` or `Query.orders(first:)`. */
  coordinate?: string;
  message: string;
}

/**
 * The API schema the router serves for a supergraph: the same derivation @apollo/gateway makes
 * (Supergraph.build(...).apiSchema()). Feature support is not checked here: that is the router's
 * start-up decision (router/src/supergraph.ts), not a property of the clients' operations.
 */
export function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  return Supergraph.build(supergraphSdl, { supportedFeatures: null }).apiSchema().toGraphQLJSSchema();
}

/** @authenticated / @requiresScopes by coordinate (`Type` or `Type.field`), as the router reads them. */
export type Requirements = ReadonlyMap<string, readonly unknown[]>;

export interface CheckInput {
  schema: GraphQLSchema;
  /** The schema before the change; without it only what `validate` and deprecations show is checked. */
  previous?: GraphQLSchema;
  /** Authorization requirements after and before the change (the API schema drops the directives). */
  requirements?: { now: Requirements; before: Requirements };
  manifests: ClientManifest[];
}

export function checkManifests({ schema, previous, requirements, manifests }: CheckInput): CompatProblem[] {
  const problems: CompatProblem[] = [];
  for (const manifest of manifests) {
    for (const entry of manifest.operations) {
      problems.push(...checkOperation({ schema, previous, requirements }, manifest.client, entry));
    }
  }
  return problems;
}

export function formatProblem(problem: CompatProblem): string {
  const id = problem.id.length > 12 ? `${problem.id.slice(0, 12)}…` : problem.id;
  const at = problem.coordinate ? ` [${problem.coordinate}]` : '';
  return `${problem.client}: operation ${problem.operation} (id ${id})${at}: ${problem.message}`;
}

type Schemas = Pick<CheckInput, 'schema' | 'previous' | 'requirements'>;

function checkOperation(schemas: Schemas, client: string, entry: ManifestOperation): CompatProblem[] {
  const seen = new Set<string>();
  const problems: CompatProblem[] = [];
  const report = (severity: Severity, message: string, coordinate?: string) => {
    const key = `${severity}|${coordinate}|${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    problems.push({ severity, client, operation: entry.name, id: entry.id, coordinate, message });
  };

  let document: DocumentNode;
  try {
    document = parse(entry.body);
  } catch (error) {
    report('break', `the manifest body does not parse: ${(error as GraphQLError).message}`);
    return problems;
  }
  const errors = validate(schemas.schema, document);
  if (errors.length > 0) {
    const coordinates = coordinatesOf(schemas.schema, document);
    for (const error of errors) {
      // "Did you mean" guesses at a typo; here the schema moved, not the client.
      report(
        'break',
        error.message.replace(/ Did you mean .*$/, ''),
        error.nodes?.map((node) => coordinates.get(node)).find(Boolean),
      );
    }
    // An invalid document cannot be walked reliably; its breaks are already named.
    return problems;
  }
  walkValidOperation(schemas, document, report);
  return problems;
}

type Report = (severity: Severity, message: string, coordinate?: string) => void;

/** Schema coordinates of the nodes validation errors point at (the parent type survives a removed field). */
function coordinatesOf(schema: GraphQLSchema, document: DocumentNode): Map<ASTNode, string> {
  const coordinates = new Map<ASTNode, string>();
  const typeInfo = new TypeInfo(schema);
  const fields: string[] = [];
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field: {
        enter(node) {
          const parent = typeInfo.getParentType();
          const coordinate = `${parent?.name ?? '?'}.${node.name.value}`;
          fields.push(coordinate);
          coordinates.set(node, coordinate);
        },
        leave() {
          fields.pop();
        },
      },
      Argument(node) {
        const field = fields[fields.length - 1];
        if (field) coordinates.set(node, `${field}(${node.name.value}:)`);
      },
      ObjectField(node) {
        const parent = typeInfo.getParentInputType();
        if (parent) coordinates.set(node, `${getNamedType(parent).name}.${node.name.value}`);
      },
      EnumValue(node) {
        const type = typeInfo.getInputType();
        if (type) coordinates.set(node, `${getNamedType(type).name}.${node.value}`);
      },
      ObjectValue(node) {
        const type = typeInfo.getInputType();
        if (type) coordinates.set(node, getNamedType(type).name);
      },
      VariableDefinition(node) {
        coordinates.set(node, `$${node.variable.name.value}`);
      },
      NamedType(node) {
        coordinates.set(node, node.name.value);
      },
    }),
  );
  return coordinates;
}

function walkValidOperation(
  { schema, previous, requirements }: Schemas,
  document: DocumentNode,
  report: Report,
): void {
  const typeInfo = new TypeInfo(schema);
  const fields: string[] = [];
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      OperationDefinition(node: OperationDefinitionNode) {
        if (!previous) return;
        for (const definition of node.variableDefinitions ?? []) {
          const type = typeFromAST(schema, definition.type);
          if (type) {
            compareSentInput(getNamedType(type), previous, `$${definition.variable.name.value}`, report);
          }
        }
      },
      Field: {
        enter(node) {
          const parent = typeInfo.getParentType();
          const field = typeInfo.getFieldDef();
          if (!parent || !field) return;
          const coordinate = `${parent.name}.${field.name}`;
          fields.push(coordinate);
          if (field.deprecationReason != null) {
            report('warning', `uses deprecated field ${coordinate}: ${field.deprecationReason}`, coordinate);
          }
          if (requirements) {
            compareRequirements(
              requirements,
              [coordinate, parent.name, getNamedType(field.type).name],
              report,
            );
          }
          if (!previous || field.name.startsWith('__')) return;
          const before = fieldOf(previous.getType(parent.name), field.name);
          if (!before) return;
          compareReceivedType(before.type, field.type, coordinate, report);
          compareNewValues(schema, previous, getNamedType(field.type), coordinate, report);
          for (const argument of field.args) {
            if (node.arguments?.some((given) => given.name.value === argument.name)) continue;
            const old = before.args.find((arg) => arg.name === argument.name);
            if (old && JSON.stringify(old.defaultValue) !== JSON.stringify(argument.defaultValue)) {
              report(
                'warning',
                `the default of argument ${argument.name} (not passed) changed from ${JSON.stringify(old.defaultValue)} to ${JSON.stringify(argument.defaultValue)}`,
                `${coordinate}(${argument.name}:)`,
              );
            }
          }
        },
        leave() {
          if (typeInfo.getFieldDef()) fields.pop();
        },
      },
      Argument(node) {
        const argument = typeInfo.getArgument();
        const field = fields[fields.length - 1];
        if (argument?.deprecationReason != null) {
          report(
            'warning',
            `uses deprecated argument ${node.name.value}: ${argument.deprecationReason}`,
            `${field}(${node.name.value}:)`,
          );
        }
      },
      ObjectField(node) {
        const parent = typeInfo.getParentInputType();
        const named = parent && getNamedType(parent);
        const inputField = isInputObjectType(named) ? named.getFields()[node.name.value] : undefined;
        if (inputField?.deprecationReason != null) {
          report(
            'warning',
            `uses deprecated input field ${named!.name}.${inputField.name}: ${inputField.deprecationReason}`,
            `${named!.name}.${inputField.name}`,
          );
        }
      },
      EnumValue(node) {
        const value = typeInfo.getEnumValue();
        const type = typeInfo.getInputType();
        if (value?.deprecationReason != null && type) {
          const coordinate = `${getNamedType(type).name}.${node.value}`;
          report(
            'warning',
            `uses deprecated enum value ${coordinate}: ${value.deprecationReason}`,
            coordinate,
          );
        }
      },
    }),
  );
}

/**
 * A new @authenticated or @requiresScopes on what an operation selects: the operation still
 * validates, but a token without the scope is now refused. Warned, since which scopes a client's
 * tokens carry is decided at run time (its organization, roles and application), not here.
 */
function compareRequirements(
  { now, before }: { now: Requirements; before: Requirements },
  coordinates: string[],
  report: Report,
) {
  for (const coordinate of coordinates) {
    const after = JSON.stringify(now.get(coordinate) ?? []);
    const was = JSON.stringify(before.get(coordinate) ?? []);
    if (after === was || after === '[]') continue;
    report(
      'warning',
      `${coordinate} now requires ${describeRequirements(now.get(coordinate)!)} (was ${was === '[]' ? 'none' : describeRequirements(before.get(coordinate)!)}): tokens without it are refused`,
      coordinate,
    );
  }
}

function describeRequirements(requirements: readonly unknown[]): string {
  return requirements
    .map((r) => {
      const requirement = r as { kind: string; anyOf?: string[][] };
      return requirement.kind === 'scopes'
        ? `@requiresScopes(${JSON.stringify(requirement.anyOf)})`
        : '@authenticated';
    })
    .join(' ');
}

function fieldOf(type: GraphQLNamedType | undefined, name: string) {
  return isObjectType(type) || isInterfaceType(type) ? type.getFields()[name] : undefined;
}

function printType(type: GraphQLType): string {
  return String(type);
}

/**
 * What the client receives: stricter is safe (nullable -> non-null); anything else changes the
 * shape its code was written for. A leaf type change (Int -> Float, enum -> String) breaks parsing
 * or typed clients; a composite type swap that still satisfies the selection only changes
 * __typename, which normalized caches key on: warned.
 */
function compareReceivedType(before: GraphQLType, after: GraphQLType, coordinate: string, report: Report) {
  const verdict = receivedChange(before, after);
  if (verdict === 'same') return;
  const change = `the type of ${coordinate} changed from ${printType(before)} to ${printType(after)}`;
  if (verdict === 'nullable')
    report('break', `${change}: a client expecting a value may now get null`, coordinate);
  else if (verdict === 'leaf') report('break', change, coordinate);
  else report('warning', `${change} (same selection, another __typename)`, coordinate);
}

function receivedChange(before: GraphQLType, after: GraphQLType): 'same' | 'nullable' | 'leaf' | 'composite' {
  if (isNonNullType(after))
    return receivedChange(isNonNullType(before) ? before.ofType : before, after.ofType);
  if (isNonNullType(before)) return 'nullable';
  if (isListType(before) !== isListType(after)) return 'leaf';
  if (isListType(before) && isListType(after)) return receivedChange(before.ofType, after.ofType);
  const a = before as GraphQLNamedType;
  const b = after as GraphQLNamedType;
  if (a.name === b.name) return 'same';
  return isCompositeType(a) && isCompositeType(b) ? 'composite' : 'leaf';
}

/** Values a strict client has never seen: a new enum value, a new member of a union or interface. */
function compareNewValues(
  schema: GraphQLSchema,
  previous: GraphQLSchema,
  type: GraphQLNamedType,
  coordinate: string,
  report: Report,
) {
  const before = previous.getType(type.name);
  if (isEnumType(type) && isEnumType(before)) {
    const known = new Set(before.getValues().map((value) => value.name));
    const added = type.getValues().filter((value) => !known.has(value.name));
    if (added.length > 0) {
      report(
        'warning',
        `${coordinate} may now return new ${type.name} values ${added.map((v) => v.name).join(', ')}: a client with an exhaustive switch must handle them`,
        coordinate,
      );
    }
  }
  if (isAbstractType(type) && before && isAbstractType(before)) {
    const known = new Set(previous.getPossibleTypes(before).map((member) => member.name));
    const added = schema
      .getPossibleTypes(type)
      .map((member) => member.name)
      .filter((name) => !known.has(name));
    if (added.length > 0) {
      report(
        'warning',
        `${coordinate} may now return new ${type.name} types ${added.join(', ')}: a client switching on __typename must handle them`,
        coordinate,
      );
    }
  }
}

/**
 * What the client sends in a variable: the document still validates, but the values do not change
 * with the schema. Anything the old schema accepted must still be accepted: looser is safe (a field
 * no longer required, a value wrapped in a list); a removed input field or enum value, a new
 * required input field, or another type refuses what the client has always sent.
 */
function compareSentInput(
  type: GraphQLNamedType,
  previous: GraphQLSchema,
  at: string,
  report: Report,
  visited = new Set<string>(),
): void {
  if (visited.has(type.name)) return;
  visited.add(type.name);
  const before = previous.getType(type.name);
  if (isEnumType(type) && isEnumType(before)) {
    const now = new Set(type.getValues().map((value) => value.name));
    for (const value of before.getValues()) {
      if (!now.has(value.name)) {
        report(
          'break',
          `enum value ${type.name}.${value.name} was removed: a client sending it in ${at} is refused`,
          `${type.name}.${value.name}`,
        );
      }
    }
    return;
  }
  if (!isInputObjectType(type) || !isInputObjectType(before)) return;
  const oldFields = before.getFields();
  const newFields = type.getFields();
  for (const name of Object.keys(oldFields)) {
    if (!newFields[name]) {
      report(
        'break',
        `input field ${type.name}.${name} was removed: a client sending it in ${at} is refused`,
        `${type.name}.${name}`,
      );
    }
  }
  for (const field of Object.values(newFields)) {
    const coordinate = `${type.name}.${field.name}`;
    const old = oldFields[field.name];
    const required = isNonNullType(field.type) && field.defaultValue === undefined;
    const wasRequired = old && isNonNullType(old.type) && old.defaultValue === undefined;
    if (required && !wasRequired) {
      report(
        'break',
        `input field ${coordinate} is ${old ? 'now required' : 'new and required'}: a client that leaves it out of ${at} is refused`,
        coordinate,
      );
    } else if (old) {
      const verdict = sentChange(old.type, field.type);
      if (verdict === 'refuses') {
        report(
          'break',
          `the type of input field ${coordinate} changed from ${printType(old.type)} to ${printType(field.type)}: values sent in ${at} may be refused`,
          coordinate,
        );
      } else if (verdict === 'null-refused') {
        report(
          'warning',
          `input field ${coordinate} became ${printType(field.type)} (with a default): a client sending null in ${at} is refused`,
          coordinate,
        );
      }
    }
    compareSentInput(getNamedType(field.type), previous, at, report, visited);
  }
}

function sentChange(before: GraphQLType, after: GraphQLType): 'same' | 'refuses' | 'null-refused' {
  if (isNonNullType(before)) return sentChange(before.ofType, isNonNullType(after) ? after.ofType : after);
  if (isNonNullType(after)) {
    const inner = sentChange(before, after.ofType);
    return inner === 'same' ? 'null-refused' : inner;
  }
  if (isListType(before)) return isListType(after) ? sentChange(before.ofType, after.ofType) : 'refuses';
  // Input coercion accepts a single value where a list is expected.
  if (isListType(after)) return sentChange(before, after.ofType);
  return (before as GraphQLNamedType).name === (after as GraphQLNamedType).name ? 'same' : 'refuses';
}
