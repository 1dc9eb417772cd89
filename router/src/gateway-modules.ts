// @apollo/gateway loads, when it is imported, modules the router never runs: OpenTelemetry's
// metrics SDK, its OTLP exporter, four cloud resource detectors and the incubating semantic
// conventions (for the usage metrics it would upload to Apollo, which Flow turns off:
// no-telemetry.ts), and @apollo/composition (for the supergraph managers that compose subgraphs
// at run time; the router is given a composed supergraph). Measured with
// scripts/bench/footprint-modules.mjs (the router's modules loaded, two full collections; with
// ioredis, now loaded only with REDIS_URL): 7 MB of V8 heap and 14 MB of RSS less, in every
// router. Imported before the gateway (router.ts), this loads it with those modules standing in
// lazily: each loads the real module on first use, so nothing behaves differently, it only costs
// nothing until then. The gateway's own tracing (@opentelemetry/api) is untouched.
import Module from 'node:module';
import { dirname, join } from 'node:path';

type Load = (request: string, parent: NodeJS.Module | undefined, isMain: boolean) => unknown;
const loader = Module as unknown as { _load: Load };

/**
 * What the gateway's opentelemetry module reads from the semantic conventions while it loads (two
 * attribute names): answered without loading the conventions' 2.3 MB of source. A test holds them
 * equal to the real module's.
 */
export const READ_AT_LOAD: Record<string, Record<string, string>> = {
  '@opentelemetry/semantic-conventions/incubating': {
    ATTR_CLOUD_PROVIDER: 'cloud.provider',
    ATTR_CLOUD_PLATFORM: 'cloud.platform',
  },
};

const gatewayDir = dirname(require.resolve('@apollo/gateway'));
const telemetryModule = join(gatewayDir, 'utilities', 'opentelemetry.js');
const composingModules = ['LocalCompose', 'IntrospectAndCompose', 'LegacyFetcher'].map((name) =>
  join(gatewayDir, 'supergraphManagers', name, 'index.js'),
);

/** Which of the gateway's imports load only when first used. */
export function loadsLazily(request: string, parentFile: string | undefined): boolean {
  if (parentFile === telemetryModule)
    return request.startsWith('@opentelemetry/') && request !== '@opentelemetry/api';
  return request === '@apollo/composition' && composingModules.includes(parentFile ?? '');
}

function lazyModule(load: () => Record<string | symbol, unknown>, known: Record<string, string> = {}) {
  let real: Record<string | symbol, unknown> | undefined;
  const target = () => (real ??= load());
  return new Proxy(
    {},
    {
      get: (_, key) => (!real && typeof key === 'string' && key in known ? known[key] : target()[key]),
      has: (_, key) => key in target(),
      ownKeys: () => Reflect.ownKeys(target()),
      getOwnPropertyDescriptor: (_, key) => {
        const descriptor = Reflect.getOwnPropertyDescriptor(target(), key);
        return descriptor && { ...descriptor, configurable: true };
      },
    },
  );
}

const load = loader._load;
/**
 * @apollo/federation-internals re-exports its modules through getters (TypeScript's `export *`
 * compiles to one `get` per name), and the gateway reads them on almost every step of shaping a
 * result: that getter alone was 7.7% of the router's CPU on The Guild's query (router-micro.ts
 * --profile flow, c=20). Its exports are read once into a plain object that stands in for the
 * module, so that each read is a property load V8 can inline. Nothing of it is reassigned after
 * it has loaded (TypeScript's classes, functions and constants): router/test/gateway-modules.test.ts
 * runs a composed gateway's queries and then compares every name with the live getter.
 */
export const federationInternalsPath = require.resolve('@apollo/federation-internals', {
  paths: [gatewayDir],
});

/** Replaces a loaded module's exports by a plain copy; returns the original (live) exports. */
export function flattenExports(path: string): Record<string, unknown> {
  require(path);
  const module = require.cache[path]!;
  const live = module.exports as Record<string, unknown>;
  const flat: Record<string, unknown> = {};
  for (const key of Object.keys(live)) flat[key] = live[key];
  if (live.__esModule) Object.defineProperty(flat, '__esModule', { value: true });
  module.exports = flat;
  return live;
}

const liveFederationInternals = flattenExports(federationInternalsPath);
/** For the test: the module's own exports, read through its getters. */
export const federationInternalsLive = () => liveFederationInternals;

loader._load = function (request, parent, isMain) {
  if (!loadsLazily(request, parent?.filename)) return load.call(this, request, parent, isMain);
  return lazyModule(
    () => load.call(this, request, parent, false) as Record<string | symbol, unknown>,
    READ_AT_LOAD[request],
  );
};
try {
  require('@apollo/gateway');
} finally {
  loader._load = load;
}
