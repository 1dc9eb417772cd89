// The router loads @apollo/gateway without the modules it never runs (gateway-modules.ts): they
// load on first use instead. Checked in a real node process (jest has a module loader of its own).
import { join } from 'node:path';
import { READ_AT_LOAD } from '../src/gateway-modules';
import { TINY_SUBGRAPHS } from './fixtures/tiny-subgraph';
import { inNode } from './in-node';

const source = join(__dirname, '..', 'src', 'gateway-modules.ts');

const SCRIPT = `
const { dirname, join } = require('node:path');
require(${JSON.stringify(source)});
const loaded = (name) => Object.keys(require.cache).some((file) => file.includes('/node_modules/' + name + '/'));
const before = {
  gateway: loaded('@apollo/gateway'),
  composition: loaded('@apollo/composition'),
  metrics: loaded('@opentelemetry/sdk-metrics'),
  conventions: loaded('@opentelemetry/semantic-conventions'),
};
const gateway = require('@apollo/gateway');
const telemetry = require(join(dirname(require.resolve('@apollo/gateway')), 'utilities', 'opentelemetry.js'));
const span = telemetry.tracer.startSpan('test');
span.end();
new gateway.LocalCompose({
  localServiceList: [{ name: 'a', typeDefs: require('graphql').parse('type Query { a: Int }') }],
})
  .initialize({ update() {}, async healthCheck() {}, getDataSource: () => ({}) })
  .then(({ supergraphSdl }) => {
    console.log(JSON.stringify({
      before,
      composed: supergraphSdl.includes('join__Graph'),
      afterComposition: loaded('@apollo/composition'),
      metricsStillUnloaded: !loaded('@opentelemetry/sdk-metrics'),
      exporter: typeof telemetry.createDataCollectionExporter,
    }));
  });
`;

// federation-internals as the gateway sees it: plain data properties, each the same value as the
// module's own getter still gives after queries were planned and their results shaped.
const FLAT_SCRIPT = `
const { dirname } = require('node:path');
const { parse } = require('graphql');
const modules = require(${JSON.stringify(source)});
const internals = require('@apollo/federation-internals');
const accessors = Object.entries(Object.getOwnPropertyDescriptors(internals))
  .filter(([, d]) => d.get || d.set).map(([name]) => name);
const { QueryPlanner } = require('@apollo/query-planner');
const { composeServices } = require('@apollo/composition');
const subgraphs = ${JSON.stringify(TINY_SUBGRAPHS)};
const composed = composeServices(Object.entries(subgraphs).map(([name, sdl]) => ({
  name, url: 'http://127.0.0.1:1/' + name, typeDefs: parse(sdl),
})));
const supergraph = internals.Supergraph.build(composed.supergraphSdl);
const planner = new QueryPlanner(supergraph);
const plans = ['{ books { title stars } featured { id stars } }', '{ featured { __typename id title } }'].map(
  (text) => JSON.stringify(planner.buildQueryPlan(internals.operationFromDocument(supergraph.apiSchema(), parse(text)))),
);
const live = modules.federationInternalsLive();
const differing = Object.keys(live).filter((name) => !Object.is(live[name], internals[name]));
console.log(JSON.stringify({
  accessors,
  esModule: internals.__esModule === true,
  names: Object.keys(internals).length === Object.keys(live).length,
  planned: plans.every((plan) => plan.includes('Fetch')),
  differing,
}));
`;

describe('gateway-modules', () => {
  it('hands the gateway federation-internals as plain properties, equal to its getters after planning', async () => {
    expect(await inNode(FLAT_SCRIPT)).toEqual({
      accessors: [],
      esModule: true,
      names: true,
      planned: true,
      differing: [],
    });
  }, 60_000);

  it('loads the gateway without composition and the metrics SDK, and each on first use', async () => {
    const result = await inNode(SCRIPT);
    expect(result).toEqual({
      before: { gateway: true, composition: false, metrics: false, conventions: false },
      composed: true,
      afterComposition: true,
      metricsStillUnloaded: true,
      exporter: 'function',
    });
  }, 60_000);

  it('answers at load only what the real modules hold', () => {
    for (const [name, values] of Object.entries(READ_AT_LOAD)) {
      const real = require(require.resolve(name, { paths: [require.resolve('@apollo/gateway')] })) as Record<
        string,
        unknown
      >;
      for (const [key, value] of Object.entries(values)) expect([key, real[key]]).toEqual([key, value]);
    }
  });
});
