// The router process: configuration, logger, start, graceful shutdown on SIGTERM/SIGINT.
import './no-telemetry';
import { createLogger, onShutdownSignal } from '@flow/core';
import { loadRouterConfig } from './env';
import { startRouter } from './router';

async function main() {
  const config = loadRouterConfig(); // exits non-zero naming every bad variable
  const logger = createLogger('router', config.logLevel);
  try {
    const router = await startRouter(config, logger);
    // Stop accepting, let in-flight requests finish, close sockets, exit 0.
    onShutdownSignal(logger, router.stop, config.shutdownGraceMs + 2000);
  } catch (error) {
    logger.fatal({ err: error }, 'router failed to start');
    logger.flush?.();
    process.exitCode = 1;
    setTimeout(() => process.exit(1), 100).unref();
  }
}

void main();
