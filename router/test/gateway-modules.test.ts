// The router loads @apollo/gateway without the modules it never runs (gateway-modules.ts): they
// load on first use instead. Checked in a real node process (jest has a module loader of its own).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { READ_AT_LOAD } from '../src/gateway-modules';

const source = join(__dirname, '..', 'src', 'gateway-modules.ts');

/** Runs `script` (CommonJS, through tsx) in node; what it prints, parsed. */
function inNode(script: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=flow-source', '--import', 'tsx', '-e', script], {
      cwd: join(__dirname, '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as Record<string, unknown>)
        : reject(new Error(`exit ${code}: ${err}`)),
    );
  });
}

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

describe('gateway-modules', () => {
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
