// The memory settings Flow's Node processes run with, in one place (README "Build", "Footprint",
// each measured with `npm run bench:footprint` or `npm run bench`). `npm start`'s supervisor gives
// them to every process it starts (scripts/start.ts; set a variable to override one,
// LEAN_PROCESSES=false for Node's and glibc's defaults), `npm run bench` to the processes it
// measures, and the Dockerfile sets the malloc variables and starts the router with
// ROUTER_NODE_ARGS, as docker-compose.yml does (scripts/test/deployment.test.ts holds them equal).

/**
 * glibc keeps what it freed: per-thread arenas, and below its (growing) mmap threshold the 32 KB
 * segments that V8's compilers take and free again (Prisma's WebAssembly query compiler, optimised
 * JavaScript), about 50 MB a process; from 32 KB up, an allocation is mapped and unmapped on its
 * own.
 */
export const LEAN_MALLOC_ENV = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '32768' } as const;

/** V8's young generation is sized for throughput (up to 16 MB a semi-space); 2 MB is enough here. */
export const LEAN_NODE_OPTIONS = '--max-semi-space-size=2';

/**
 * V8's heap limit. Not a limit these processes come near (a subgraph's heap holds 25 to 40 MB, the
 * router's caches are bounded well below it), but V8 lets the heap grow by a factor that depends
 * on it: up to 4x after a collection with the default limit (about 4 GB here), about 1.3x with
 * this one. Measured under the footprint load: the router 10 MB less after it, a subgraph 1 to
 * 3 MB (README "Footprint").
 */
const HEAP_LIMIT = '--max-old-space-size=256';

/**
 * V8 flags for every subgraph `npm start` runs. Without WebAssembly's optimising tier the query
 * compiler's code stays Liftoff's: no recompile in the background after start (a query's plan is
 * compiled once, then cached, so its speed hardly shows); heap growth and caches favour size.
 * On the command line: V8 refuses the first two in NODE_OPTIONS.
 */
export const LEAN_NODE_ARGS = ['--liftoff-only', '--optimize-for-size', HEAP_LIMIT] as const;

/**
 * Every subgraph's flags in a deployment: docker-compose.yml and `npm run bench`. With Node's
 * defaults, the subgraphs that work hardest under the benchmark's load (locations, inventory,
 * pricing, orders) reached 185 to 234 MB of peak RSS: V8 grew their heaps up to 4x after a
 * collection. With the heap limit they stay at 125 to 140 MB (users: USERS_NODE_ARGS), and an
 * 8 MB semi-space keeps the CPU per request where it was
 * (2 MB: 10 to 30 % more; 4 MB: 5 to 10 % more). Measured side by side with
 * `BENCH_SUBGRAPH_NODE_ARGS="<flags>" npm run bench -- --only=operations` (README "Performance").
 * Not LEAN_NODE_ARGS: Liftoff-only WebAssembly saves 10 to 20 MB more a subgraph but costs 25 to
 * 40 % more CPU per request (Prisma's query compiler runs on every query).
 */
export const SUBGRAPH_NODE_ARGS = ['--max-semi-space-size=8', HEAP_LIMIT] as const;

/**
 * users: each password derivation holds 32 MB (scrypt) on top of its heap, and its requests are
 * light (a token's checks, `me`): 2 MB of young generation is enough there, and its peak RSS under
 * the benchmark stays under 150 MB (139 against 149 to 153 with 8 MB; its CPU per compareOffers
 * 0.35 to 0.50 ms either way).
 */
export const USERS_NODE_ARGS = ['--max-semi-space-size=2', HEAP_LIMIT] as const;

/** A subgraph's flags in a deployment. */
export const subgraphNodeArgs = (name: string): readonly string[] =>
  name === 'users' ? USERS_NODE_ARGS : SUBGRAPH_NODE_ARGS;

/**
 * The router's flags in a deployment: the Dockerfile's CMD, docker-compose.yml and `npm run bench`,
 * whose federation scenario measured them (README "Performance"). A 16 MB semi-space (V8's own
 * maximum): each large answer's intermediate objects fit in the young generation instead of being
 * promoted and collected again; side by side with 2 MB, 22.0 against 27.7 CPU ms per request at
 * 159 against 123 MB of peak RSS (Apollo Gateway: 45.7 ms, 264 MB). Not LEAN_NODE_ARGS: under that
 * load `--optimize-for-size` cost the router 40 % more CPU per request (and it runs no WebAssembly).
 */
export const ROUTER_NODE_ARGS = ['--max-semi-space-size=16', HEAP_LIMIT] as const;

/**
 * The router under `npm start`: ten processes on one machine, where memory comes first. With
 * 16 MB the whole platform measured 1,028 MB after the footprint load, over its 1,024 MB target
 * (998 MB with 2 MB); the router spends more CPU on garbage collection in exchange.
 */
export const LOCAL_ROUTER_NODE_ARGS = ['--max-semi-space-size=2', HEAP_LIMIT] as const;
