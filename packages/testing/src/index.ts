// The public API of @flow/testing: what other packages and workspaces use. Everything else is internal.
export {
  ASSIGNED_DRIVER,
  type CallerName,
  callers,
  type Expected,
  matchesWhere,
  ORG,
  outcomeOf,
  rowsOf,
} from './testing-access';
export {
  capturingLogger,
  createGraphQLClient,
  createSignedClient,
  databaseUrlForSchema,
  type GraphQLClient,
  type GraphQLResponse,
  inbox,
  newTestViewer,
  startTestTokenIssuer,
  TEST_DATABASE_URL,
  type TestTokenIssuer,
  type TestViewer,
  uniqueSchemaName,
  until,
} from './testing';
export {
  connectToTestSchema,
  dropTestSchema,
  queryTestSchema,
  type StartedSubgraph,
  type StartOptionsBase,
  startSubgraphTestEnvironment,
  stopAll,
  type SubgraphTestEnvironment,
  type SubgraphTestEnvironmentOptions,
  type TestActor,
  TEST_ROUTER_SECRET,
} from './subgraph-environment';
export { type FaultOptions, type RecordedCall, ScriptedCalls, type StepArguments } from './scripted-calls';
export {
  type TestOrderEvent,
  type TestOrderEventOptions,
  type TestOrderParties,
  testOrderEvent,
} from './domain-events';
