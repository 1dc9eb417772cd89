// Generates schema/clients/<client>/manifest.json from each client's operations/*.graphql, after
// validating every operation against the checked-in supergraph's API schema.
// `npm run manifests` writes them and the partner guide's docs/partner-operations.md;
// `npm run manifests -- --check` fails when one is stale.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { supergraphPath } from './compose';
import { generateManifests, repositoryRoot } from './lib/manifests';
import { partnerOperationsDoc, partnerOperationsPath } from './lib/partner-operations';

if (require.main === module) {
  let manifests: Map<string, string>;
  try {
    manifests = generateManifests(readFileSync(supergraphPath, 'utf8'));
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
  const check = process.argv.includes('--check');
  const stale: string[] = [];
  const update = (path: string, text: string) => {
    const shown = relative(repositoryRoot, path);
    const current = existsSync(path) ? readFileSync(path, 'utf8') : null;
    if (current === text) return;
    if (check) stale.push(shown);
    else {
      writeFileSync(path, text);
      console.log(`wrote ${shown}`);
    }
  };
  for (const [path, text] of manifests) update(path, text);
  // The partner guide's list, from the manifests as they now are (when checking, as they would be).
  if (!stale.length) update(partnerOperationsPath, partnerOperationsDoc());
  if (stale.length) {
    console.error(`stale manifests (run \`npm run manifests\` and commit them): ${stale.join(', ')}`);
    process.exit(1);
  }
  console.log(`${manifests.size} manifests up to date.`);
}
