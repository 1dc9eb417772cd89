import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseStartEnvironment } from '../start-env';

// Issue 11, case 8: `FLOW_ENV=production npm start` created the demo accounts whose passwords the
// README prints. Production now seeds nothing unless asked, refuses to be asked, and refuses the
// embedded development database.
describe('npm start configuration', () => {
  it('seeds the demo outside production and not in it', () => {
    expect(parseStartEnvironment({}).SEED_DEMO_DATA).toBe(true);
    expect(parseStartEnvironment({ SEED_DEMO_DATA: 'false' }).SEED_DEMO_DATA).toBe(false);
    expect(
      parseStartEnvironment({ FLOW_ENV: 'production', DATABASE_URL: 'postgresql://db.example.org/flow' })
        .SEED_DEMO_DATA,
    ).toBe(false);
  });

  it('refuses demo data and the embedded database in production, naming both variables', () => {
    expect(() => parseStartEnvironment({ FLOW_ENV: 'production', SEED_DEMO_DATA: 'true' })).toThrow(
      /SEED_DEMO_DATA: production refuses demo accounts[\s\S]*DATABASE_URL: required in production/,
    );
  });

  it('names an invalid SEED_DEMO_DATA instead of reading it as false', () => {
    expect(() => parseStartEnvironment({ SEED_DEMO_DATA: 'maybe' })).toThrow(/SEED_DEMO_DATA/);
  });

  it('stops `FLOW_ENV=production npm start` before anything starts when it would seed the demo', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, FLOW_ENV: 'production', SEED_DEMO_DATA: 'true' };
    delete env.DATABASE_URL;
    const supervisor = spawn(
      process.execPath,
      ['--conditions=flow-source', '--import', 'tsx', join(__dirname, '..', 'start.ts')],
      {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    supervisor.stdout.on('data', (chunk) => (output += chunk));
    supervisor.stderr.on('data', (chunk) => (output += chunk));
    const code = await new Promise<number | null>((resolve) => supervisor.on('exit', resolve));
    expect(code).toBe(1);
    expect(output).toMatch(/SEED_DEMO_DATA: production refuses demo accounts/);
    expect(output).toMatch(/DATABASE_URL: required in production/);
    expect(output).not.toMatch(/embedded PostgreSQL|Flow is running/);
  });
});
