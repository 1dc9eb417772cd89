import type { Logger } from '../logger';

/**
 * Runs `stop` once on SIGTERM or SIGINT, then exits. A second signal, or a stop that hangs past
 * the deadline, exits at once: an operator must always be able to end the process.
 *
 * Under `npm start` (FLOW_SUPERVISED=1) stdin is a pipe from the supervisor that is never written
 * to: when it closes, the supervisor is gone (even killed with SIGKILL) and this process stops
 * the same way, instead of living on as an orphan that holds its port.
 */
export function onShutdownSignal(logger: Logger, stop: () => Promise<void>, deadlineMs = 10_000): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals | 'supervisor gone') => {
    if (stopping) {
      logger.warn({ signal }, 'second signal, exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error({ deadlineMs }, 'shutdown took too long, exiting');
      process.exit(1);
    }, deadlineMs);
    deadline.unref();
    stop().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  if (process.env.FLOW_SUPERVISED === '1') watchSupervisor(() => handler('supervisor gone'));
}

/** Calls `gone` when stdin, the supervisor's pipe, reaches its end. */
export function watchSupervisor(gone: () => void): void {
  let called = false;
  const once = () => {
    if (called) return;
    called = true;
    // Whatever read our output went with the supervisor: a write must not crash the shutdown.
    for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
    gone();
  };
  process.stdin.on('end', once);
  process.stdin.on('close', once);
  process.stdin.on('error', once);
  process.stdin.resume();
}
