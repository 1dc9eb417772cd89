// The demo data of `npm start` (and of docker-compose's one-shot `seed` job): a small oxygen
// market of two hospitals and three vendors, made through the public API as its people would
// (scripts/demo). Idempotent: a second run finds everything in place and changes nothing.
import { describeDemoSeed, seedDemoMarket, type DemoSeedReport } from './demo';

export { loginLines } from './demo';

/** Seeds the demo market through the router and prints one line saying what that did. */
export async function seedDemoCatalog(
  routerUrl: string,
  log: (line: string) => void = console.log,
): Promise<DemoSeedReport> {
  const report = await seedDemoMarket(routerUrl);
  log(describeDemoSeed(report));
  return report;
}

// Run by itself (the one-shot `seed` job of docker-compose.yml): seed-demo.ts <router GraphQL URL>.
if (require.main === module) {
  seedDemoCatalog(process.argv[2] ?? 'http://127.0.0.1:8000/graphql').catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
