import { join } from 'node:path';
import { SupervisedService, type RestartPolicy } from '../lib/supervisor';
import { hasExited, isPortFree } from '../lib/processes';

async function freePort(): Promise<number> {
  for (let port = 40_000 + Math.floor(Math.random() * 5000); ; port++) {
    if (await isPortFree(port)) return port;
  }
}

async function until(condition: () => boolean, what: string) {
  const deadline = Date.now() + 60_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// The restart policy on a stand-in process: delays double from the first, the limit gives up once.
describe('SupervisedService', () => {
  const policy: RestartPolicy = {
    limit: 3,
    windowMs: 60_000,
    initialBackoffMs: 100,
    maxBackoffMs: 150,
    stableMs: 60_000,
  };
  let service: SupervisedService | undefined;
  afterEach(() => service?.stop(1000));

  it('restarts with doubling backoff up to its maximum, then gives up once', async () => {
    const port = await freePort();
    const lines: string[] = [];
    const givenUp: string[] = [];
    service = new SupervisedService(
      {
        name: 'standin',
        entry: join(__dirname, 'fixtures', 'ready-server.ts'),
        env: { ...process.env, PORT: String(port) },
        port,
        readyUrl: `http://127.0.0.1:${port}/`,
        quiet: true,
      },
      policy,
      { started: () => {}, exited: () => {}, giveUp: (m) => givenUp.push(m), log: (l) => lines.push(l) },
    );
    await service.start();
    const crash = async (expectedLines: number) => {
      const current = service!.process!;
      current.child.kill('SIGKILL');
      await current.exited;
      await until(() => lines.length >= expectedLines || givenUp.length > 0, 'a restart');
    };
    await crash(2);
    await crash(4);
    await crash(6);
    expect(lines).toEqual([
      'standin exited unexpectedly (signal SIGKILL); restarting it in 0.1 s (crash 1 of 3 allowed within 1 min). The other processes keep serving.',
      'standin is back.',
      'standin exited unexpectedly (signal SIGKILL); restarting it in 0.15 s (crash 2 of 3 allowed within 1 min). The other processes keep serving.',
      'standin is back.',
    ]);
    expect(givenUp).toEqual([
      'standin crashed 3 times within 1 min (last: signal SIGKILL); giving up and stopping everything.',
    ]);
    // Given up on: no further start.
    await new Promise((r) => setTimeout(r, 500));
    expect(hasExited(service.process!)).toBe(true);
  }, 120_000);

  it('does not restart a process that dies before its first start succeeded', async () => {
    const lines: string[] = [];
    service = new SupervisedService(
      {
        name: 'broken',
        entry: join(__dirname, 'fixtures', 'no-such-file.ts'),
        env: process.env,
        port: await freePort(),
        readyUrl: 'http://127.0.0.1:1/',
        quiet: true,
      },
      policy,
      { started: () => {}, exited: () => {}, giveUp: (m) => lines.push(m), log: (l) => lines.push(l) },
    );
    await expect(service.start()).rejects.toThrow('broken exited before it became ready');
    await new Promise((r) => setTimeout(r, 300));
    expect(lines).toEqual([]);
  }, 60_000);
});
