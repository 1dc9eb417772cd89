// Starts the federation-gateway-audit suite's own server (every test suite's subgraphs, its
// supergraphs and its tests, under /<id>/...) from a checkout of the suite, on loopback.
//
//   node --import tsx scripts/audit/suite-server.mjs <suite checkout> <port>
//
// Run by scripts/audit/federation.ts. Nothing of the suite is copied into Flow: its sources are
// read from the checkout. Node 20 lacks Promise.withResolvers, which the suite uses.
import { register } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

Promise.withResolvers ??= function withResolvers() {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};
register('./resolve-from-flow.mjs', import.meta.url);

const [checkout, port] = process.argv.slice(2);
const { serve } = await import(pathToFileURL(join(checkout, 'src', 'index.ts')).href);
await serve(Number(port));
console.log(`suite server on ${port}`);
// Supervised (FLOW_SUPERVISED): stop when the parent's pipe closes, even if it was killed. The
// suite's own SIGTERM/SIGINT handlers close its server but leave the process running: exit after them.
process.stdin.on('end', () => process.exit(0)).resume();
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => process.exit(0));
