// No Docker engine runs here: docker-compose.yml and the Dockerfile are checked against the
// project instead. Every process's entry point is one the build emits, every variable compose
// sets is one that process's configuration reads, ports match the catalog, every subgraph has a
// service, and the image is built the way README "Docker" says.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROUTER_PORT, subgraphCatalog, RENAMED_VARIABLES } from '@flow/core';
import { LEAN_MALLOC_ENV, ROUTER_NODE_ARGS, subgraphNodeArgs } from '../lib/node-settings';

const root = join(__dirname, '..', '..');

interface ComposeService {
  build?: { context: string; target: string };
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  restart?: string;
}

const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const flowServices = [...subgraphCatalog.map(({ name }) => name), 'router'];
const workspaceOf = (service: string) => (service === 'router' ? 'router' : `subgraphs/${service}`);

/**
 * The variables a process's configuration knows: the environment shape its package exports
 * (`<name>EnvironmentShape`, the one its parse function reads), given the values compose sets.
 */
function variablesKnown(service: string, environment: Record<string, string>): Set<string> {
  const api = require(`@flow/${service}`) as Record<string, unknown>;
  const exported = api[`${service}EnvironmentShape`];
  const shape =
    typeof exported === 'function'
      ? (exported as (source: NodeJS.ProcessEnv) => Record<string, unknown>)({ ...environment })
      : (exported as Record<string, unknown> | undefined);
  const known = new Set(Object.keys(shape ?? {}));
  if (known.size === 0) throw new Error(`@flow/${service} exports no ${service}EnvironmentShape`);
  // A renamed variable is read under either name (parseEnvironment), whichever the shape uses.
  for (const { name, formerName } of RENAMED_VARIABLES)
    if (known.has(name) || known.has(formerName)) known.add(name).add(formerName);
  return known;
}

describe('docker-compose.yml', () => {
  it('has a service for every subgraph and the router, each running its compiled entry point', () => {
    for (const name of flowServices) {
      const service = compose.services[name];
      expect(service).toBeDefined();
      // Node, the flags the process ships with (ROUTER_NODE_ARGS, subgraphNodeArgs), its entry point.
      const [node, ...args] = service!.command!;
      const entry = args.pop();
      expect([node, args]).toEqual([
        'node',
        name === 'router' ? [...ROUTER_NODE_ARGS] : [...subgraphNodeArgs(name)],
      ]);
      expect(entry).toBe(`${workspaceOf(name)}/dist/server.js`);
      // The build emits dist/server.js from src/server.ts (tsconfig.build.json: rootDir src, outDir dist).
      const build = readFileSync(join(root, workspaceOf(name), 'tsconfig.build.json'), 'utf8');
      expect(build).toMatch(/"rootDir": "src", "outDir": "dist"/);
      expect(existsSync(join(root, workspaceOf(name), 'src', 'server.ts'))).toBe(true);
      if (existsSync(join(root, workspaceOf(name), 'dist')))
        expect(existsSync(join(root, entry!))).toBe(true);
      expect(service!.build).toEqual({ context: '.', target: 'runtime' });
    }
  });

  it('sets only variables each process reads, and its port as in the catalog', () => {
    const ports: Record<string, number> = {
      ...Object.fromEntries(subgraphCatalog.map(({ name, port }) => [name, port])),
      router: ROUTER_PORT,
    };
    for (const name of flowServices) {
      const environment = compose.services[name]!.environment!;
      const known = variablesKnown(name, environment);
      const unknown = Object.keys(environment).filter((variable) => !known.has(variable));
      expect({ service: name, unknown }).toEqual({ service: name, unknown: [] });
      expect(Number(environment.PORT)).toBe(ports[name]);
      expect(environment.HOST).toBe('0.0.0.0');
      // Where a process is told another one is, that is the other's service name and catalog port.
      for (const target of subgraphCatalog) {
        const url = environment[`${target.name.toUpperCase()}_URL`];
        if (url !== undefined) expect(url).toBe(`http://${target.name}:${target.port}/graphql`);
      }
    }
    expect(compose.services.router!.environment!).toMatchObject(
      Object.fromEntries(
        subgraphCatalog.map(({ name, port }) => [
          `${name.toUpperCase()}_URL`,
          `http://${name}:${port}/graphql`,
        ]),
      ),
    );
  });

  it('starts each process once what it needs is healthy, and seeds once the router is', () => {
    const healthy = (service: string) => Object.keys(compose.services[service]!.depends_on ?? {});
    for (const name of flowServices) {
      const service = compose.services[name]!;
      expect(service.healthcheck?.test.join(' ')).toContain('/health/ready');
      for (const condition of Object.values(service.depends_on ?? {}))
        expect(condition).toEqual({ condition: 'service_healthy' });
      for (const dependency of healthy(name)) expect(compose.services[dependency]!.healthcheck).toBeDefined();
    }
    for (const name of subgraphCatalog.map((s) => s.name).filter((n) => n !== 'users'))
      expect(healthy(name)).toContain('users');
    expect(healthy('router').sort()).toEqual(subgraphCatalog.map(({ name }) => name).sort());
    const seed = compose.services.seed!;
    expect(seed.depends_on).toEqual({ router: { condition: 'service_healthy' } });
    expect(seed.restart).toBe('no');
    expect(seed.command).toContain('scripts/seed-demo.ts');
    expect(seed.command).toContain(`http://router:${ROUTER_PORT}/graphql`);
  });
});

/** Every shared package: the image installs and ships each one (a service imports them). */
const sharedPackages = readdirSync(join(root, 'packages')).map((name) => `packages/${name}`);

describe('Dockerfile', () => {
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const stage = (name: string) => stages.find((text) => text.split('\n')[0]!.includes(` AS ${name}`)) ?? '';

  it('installs dependencies from the package files alone, before any source is copied', () => {
    const dependencies = stage('dependencies');
    const copies = [...dependencies.matchAll(/^COPY (.+) \S+$/gm)].flatMap((m) => m[1]!.split(' '));
    expect(copies.every((file) => /(^|\/)package(-lock)?\.json$/.test(file))).toBe(true);
    const workspaces = [...sharedPackages, ...flowServices.map(workspaceOf)];
    for (const workspace of workspaces) expect(copies).toContain(`${workspace}/package.json`);
    expect(dependencies).toMatch(/RUN npm ci /);
    expect(stage('build')).toMatch(/npm run build/);
  });

  it('runs the compiled output with production dependencies only, as a non-root user, with a health check', () => {
    const runtime = stage('runtime');
    expect(runtime).toMatch(/npm ci --omit=dev/);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/chown node:node \/data/);
    expect(runtime).toMatch(/^HEALTHCHECK[\s\S]*\/health\/ready/m);
    for (const workspace of [...sharedPackages, ...flowServices.map(workspaceOf)])
      expect(runtime).toContain(`COPY --from=build /app/${workspace}/dist ${workspace}/dist/`);
    for (const folder of ['schema', 'prisma']) expect(runtime).toContain(`COPY ${folder} ${folder}/`);
    expect(runtime).not.toMatch(/tsx/);
  });

  it('runs with the malloc settings of npm start and starts the router with its flags', () => {
    const runtime = stage('runtime');
    for (const [variable, value] of Object.entries(LEAN_MALLOC_ENV))
      expect(runtime).toMatch(new RegExp(`^ENV .*\\b${variable}=${value}\\b`, 'm'));
    const cmd = /^CMD (\[.*\])$/m.exec(runtime)?.[1];
    expect(JSON.parse(cmd!)).toEqual(['node', ...ROUTER_NODE_ARGS, 'router/dist/server.js']);
  });
});
