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
});
