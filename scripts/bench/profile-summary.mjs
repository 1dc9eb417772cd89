// Summarises a .cpuprofile (from cpu-profile.mjs, --cpu-prof or router-micro.ts --profile): the
// functions and packages with the most self time, and the frames with the most inclusive time.
//   node scripts/bench/profile-summary.mjs <file.cpuprofile> [--last=<seconds>] [--top=<n>]
//     [--per=<count>]  (divide by a request count: ms per request)
//     [--under=<text>] (only samples with a frame whose label contains <text> on their stack)
//     [--skip=<seconds>] (leave out the profile's first seconds: start-up and warm-up)
//     [--timeline] (busy milliseconds of every second, to choose --skip and --last)
// --last keeps the samples of the profile's last seconds only (a whole-lifetime profile of a
// process that was measured at its end: start-up and loading stay out).
import { readFileSync } from 'node:fs';

const [file, ...options] = process.argv.slice(2);
if (!file) {
  console.error('usage: profile-summary.mjs <file.cpuprofile> [--last=<s>] [--top=<n>] [--per=<count>]');
  process.exit(2);
}
const option = (name) => options.find((o) => o.startsWith(`--${name}=`))?.split('=')[1];
const lastSeconds = Number(option('last') ?? Infinity);
const top = Number(option('top') ?? 40);
const per = Number(option('per') ?? 0);
const under = option('under');
const skipSeconds = Number(option('skip') ?? 0);

const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

// Sample times: startTime plus the running sum of timeDeltas (µs).
const times = [];
let at = profile.startTime;
for (const delta of profile.timeDeltas) times.push((at += delta));
const from = Math.max(profile.endTime - lastSeconds * 1e6, profile.startTime + skipSeconds * 1e6);

if (options.includes('--timeline')) {
  const busyBySecond = [];
  for (let i = 0; i < profile.samples.length; i++) {
    if (nodes.get(profile.samples[i]).callFrame.functionName === '(idle)') continue;
    const second = Math.floor((times[i] - profile.startTime) / 1e6);
    busyBySecond[second] =
      (busyBySecond[second] ?? 0) + ((times[i + 1] ?? profile.endTime) - times[i]) / 1000;
  }
  console.log('second  busy ms');
  busyBySecond.forEach((ms, second) =>
    console.log(`${String(second).padStart(6)}  ${(ms ?? 0).toFixed(0).padStart(7)}`),
  );
}

const where = (frame) => {
  const url = frame.url.replace(/^file:\/\//, '');
  const pkg = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1];
  if (pkg) return pkg;
  if (url.startsWith('node:') || (!url.includes('/') && url)) return 'node';
  const own = url.match(/\/(router|packages\/[^/]+|subgraphs\/[^/]+)\//)?.[1];
  return own ? `flow ${own}` : frame.functionName ? 'other' : `(${frame.functionName || 'vm'})`;
};
const label = (frame) =>
  `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(router|packages|subgraphs)\//, '$1/')}:${frame.lineNumber + 1}`;

const self = new Map();
const inclusive = new Map();
const byPackage = new Map();
let total = 0;
// Sampling interval varies: weigh each sample by the time to the next one.
for (let i = 0; i < profile.samples.length; i++) {
  if (times[i] < from) continue;
  const weight = ((times[i + 1] ?? profile.endTime) - times[i]) / 1000;
  const node = nodes.get(profile.samples[i]);
  const frame = node.callFrame;
  if (under) {
    let found = false;
    for (let id = node.id; id !== undefined && !found; id = parent.get(id))
      found = label(nodes.get(id).callFrame).includes(under);
    if (!found) continue;
  }
  total += weight;
  const name = ['(idle)', '(program)', '(garbage collector)'].includes(frame.functionName)
    ? frame.functionName
    : label(frame);
  self.set(name, (self.get(name) ?? 0) + weight);
  const pkg = frame.functionName.startsWith('(') ? frame.functionName : where(frame);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + weight);
  const seen = new Set();
  for (let id = node.id; id !== undefined; id = parent.get(id)) {
    const key = label(nodes.get(id).callFrame);
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + weight);
  }
}

const idle = self.get('(idle)') ?? 0;
const busy = total - idle;
const show = (title, map, count) => {
  console.log(`\n${title}`);
  const rows = [...map]
    .filter(([k]) => k !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, count);
  for (const [key, ms] of rows) {
    const perRequest = per ? `  ${((ms / per) * 1000).toFixed(1).padStart(7)} µs/req` : '';
    console.log(
      `${ms.toFixed(1).padStart(9)} ms ${((100 * ms) / busy).toFixed(1).padStart(5)}%${perRequest}  ${key}`,
    );
  }
};
console.log(`${file}: ${(total / 1000).toFixed(2)} s sampled, ${(busy / 1000).toFixed(2)} s busy`);
show('Self time by package', byPackage, top);
show('Self time by function', self, top);
show('Inclusive time by frame', inclusive, top);
