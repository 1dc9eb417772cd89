import { spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import { join } from 'node:path';
import { dropSchema } from '@flow/subgraph-kit';
import {
  databaseUrlForSchema,
  startTestTokenIssuer,
  TEST_DATABASE_URL,
  uniqueSchemaName,
} from '@flow/testing';
import { parseLocationsConfig } from '../src/env';
import { CREATE_SITE, siteInput, type SiteResult } from './queries';
import { close, createTestEnvironment, listen, newViewer } from './support';

describe('configuration', () => {
  it('has working defaults', () => {
    const config = parseLocationsConfig({});
    expect(config).toMatchObject({
      port: 8003,
      geocoder: { kind: 'gazetteer' },
      routes: { roadFactor: 1.3, averageSpeedKph: 50 },
      jwt: { jwksUrl: 'http://127.0.0.1:8001/.well-known/jwks.json' },
    });
  });

  it('configures the HTTP geocoder by URL', () => {
    const config = parseLocationsConfig({
      GEOCODER: 'http',
      GEOCODER_URL: 'https://geocoder.example.org/search',
      GEOCODER_TIMEOUT_MS: '1500',
      ROAD_FACTOR: '1.4',
      AVERAGE_SPEED_KPH: '40',
    });
    expect(config.geocoder).toEqual({
      kind: 'http',
      url: 'https://geocoder.example.org/search',
      timeoutMs: 1500,
      userAgent: 'flow-locations/0.1',
    });
    expect(config.routes).toEqual({ roadFactor: 1.4, averageSpeedKph: 40 });
  });

  it('names every bad variable', () => {
    expect(() => parseLocationsConfig({ GEOCODER: 'http' })).toThrow(
      /GEOCODER_URL: required when GEOCODER=http/,
    );
    let message = '';
    try {
      parseLocationsConfig({ GEOCODER: 'google', ROAD_FACTOR: '0.5', AVERAGE_SPEED_KPH: 'fast' });
    } catch (error) {
      message = (error as Error).message;
    }
    for (const name of ['GEOCODER', 'ROAD_FACTOR', 'AVERAGE_SPEED_KPH'])
      expect(message).toContain(`${name}:`);
  });
});

describe('with the HTTP geocoder', () => {
  it('creates a site at the position the service found, and creates nothing while it is down', async () => {
    let up = true;
    const geocoderServer = http.createServer((_req, res) => {
      res.writeHead(up ? 200 : 503, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(up ? [{ lat: '-1.3', lon: '36.78', display_name: 'Kenyatta Hospital, Nairobi' }] : {}),
      );
    });
    const origin = await listen(geocoderServer);
    const t = await createTestEnvironment({ GEOCODER: 'http', GEOCODER_URL: `${origin}/search` });
    try {
      expect(t.app.geocoder.name).toBe('http');
      const token = await t.as(newViewer('HOSPITAL', 'HOSPITAL_ADMIN'));
      const created = await t.gql<{ createSite: SiteResult }>({
        query: CREATE_SITE,
        variables: { input: siteInput('HOSPITAL_SITE') },
        token,
      });
      expect(created.errors).toBeUndefined();
      expect(created.data!.createSite).toMatchObject({
        position: { lat: -1.3, lng: 36.78 },
        positionSource: 'GEOCODED',
      });

      up = false;
      const refused = await t.gql({
        query: CREATE_SITE,
        variables: { input: siteInput('HOSPITAL_SITE') },
        token,
      });
      expect(refused.errors?.[0]?.extensions).toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
        service: 'geocoding',
      });
      expect(await t.countSites()).toBe(1);
    } finally {
      await t.stop();
      await close(geocoderServer);
    }
  });
});

describe('the locations process', () => {
  const root = join(__dirname, '..', '..', '..');
  const server = join(root, 'subgraphs', 'locations', 'src', 'server.ts');
  const nodeArgs = ['--conditions=flow-source', '--import', 'tsx', server];

  it('exits non-zero, naming every bad variable', () => {
    const result = spawnSync(process.execPath, nodeArgs, {
      cwd: root,
      env: { PATH: process.env.PATH, FLOW_ENV: 'production', GEOCODER: 'http', ROAD_FACTOR: 'x' },
      encoding: 'utf8',
      // A guard against a hang only: starting under tsx on a loaded machine can take a minute.
      timeout: 170_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('locations: invalid configuration');
    expect(result.stderr).toContain('ROAD_FACTOR');
  }, 180_000);

  it('migrates, serves health and metrics, and exits 0 on SIGTERM', async () => {
    const schema = uniqueSchemaName('locations_process');
    const tokens = await startTestTokenIssuer();
    const child = spawn(process.execPath, nodeArgs, {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        PORT: '0',
        LOG_LEVEL: 'info',
        DATABASE_URL: databaseUrlForSchema(schema),
        USERS_JWKS_URL: tokens.jwksUrl,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let stdout = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const ready = /"url":"([^"]+)"[^\n]*"msg":"locations subgraph ready"/.exec(stdout);
          if (ready) resolve(ready[1]!);
        });
        child.once('exit', (code) => reject(new Error(`exited early with ${code}: ${stdout}`)));
      });
      const origin = new URL(url).origin;
      expect((await fetch(`${origin}/health/live`)).status).toBe(200);
      const ready = await fetch(`${origin}/health/ready`);
      expect(ready.status).toBe(200);
      expect(await fetch(`${origin}/metrics`).then((r) => r.text())).toContain('flow_db_statements_total');
      const anonymous = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ sites { totalCount } }' }),
      }).then((r) => r.json() as Promise<{ errors: { extensions: { code: string } }[] }>);
      expect(anonymous.errors[0]!.extensions.code).toBe('UNAUTHENTICATED');

      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await tokens.stop();
      await dropSchema(TEST_DATABASE_URL, schema);
    }
  });
});
