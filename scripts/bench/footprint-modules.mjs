// What the router's modules cost once loaded, before and after router/src/gateway-modules.ts: the
// compiled router (router/dist/router.js, `npm run build` first) loaded, then two full
// collections; `eager` first loads @apollo/gateway with every module it imports, and ioredis, as
// the router did before. Run each in a fresh process, with the router's settings:
//   MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=32768 node --max-semi-space-size=2 --expose-gc \
//     scripts/bench/footprint-modules.mjs [eager]
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const router = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'router');
const fromRouter = createRequire(join(router, 'package.json'));
const eager = process.argv[2] === 'eager';
if (eager) {
  const fromGateway = createRequire(fromRouter.resolve('@apollo/gateway'));
  fromGateway('./utilities/opentelemetry.js');
  fromGateway('@apollo/composition');
  fromRouter('@apollo/gateway');
  fromRouter('ioredis');
}
fromRouter('./dist/router.js');
if (!globalThis.gc) throw new Error('run with --expose-gc');
globalThis.gc();
globalThis.gc();
const { heapUsed, rss } = process.memoryUsage();
const mb = (bytes) => `${(bytes / 1048576).toFixed(1)} MB`;
const modules = Object.keys(fromRouter.cache).length;
console.log(`${eager ? 'eager' : 'lazy '}  V8 heap used ${mb(heapUsed)}  RSS ${mb(rss)}  modules ${modules}`);
