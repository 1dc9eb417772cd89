// Runs a CommonJS script (through tsx) in its own node process and parses what it prints: for
// what jest's module loader would hide (load order, module caches) or V8's own view of objects.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export function inNode(script: string, nodeArgs: string[] = []): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...nodeArgs, '--conditions=flow-source', '--import', 'tsx', '-e', script],
      { cwd: join(__dirname, '..'), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as Record<string, unknown>)
        : reject(new Error(`exit ${code}: ${err}`)),
    );
  });
}
