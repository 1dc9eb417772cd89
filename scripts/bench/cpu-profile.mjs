// Preloaded (NODE_OPTIONS=--import) into every process of a benchmark run when it profiles:
// Node refuses --cpu-prof in NODE_OPTIONS, so the inspector's profiler is started here and its
// profile written when the process exits (the in-thread session answers synchronously).
import { Session } from 'node:inspector';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  session.post('Profiler.start');
  process.once('exit', () => {
    session.post('Profiler.stop', (error, result) => {
      if (error) return;
      mkdirSync(dir, { recursive: true });
      const name = process.argv[process.argv.length - 1].split('/').slice(-3).join('-');
      writeFileSync(join(dir, `${name}.${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
