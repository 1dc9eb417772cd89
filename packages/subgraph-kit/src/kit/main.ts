import { disableTelemetry } from '@flow/core';
import { onShutdownSignal } from '@flow/core';
import { createLogger, type Logger } from '@flow/core';

type LoggedConfig = { logLevel: string } | { LOG_LEVEL: string };

/**
 * The whole of a subgraph's server.ts: no telemetry, its configuration (a bad one exits with the
 * problems listed), its logger, start, and stop on SIGTERM/SIGINT (or when the supervisor goes).
 */
export function runSubgraph<Config extends LoggedConfig>(
  name: string,
  loadConfig: () => Config,
  start: (config: Config, logger: Logger) => Promise<{ stop: () => Promise<void> }>,
): void {
  disableTelemetry();
  const config = loadConfig();
  const logger = createLogger(name, 'logLevel' in config ? config.logLevel : config.LOG_LEVEL);
  start(config, logger).then(
    (app) => onShutdownSignal(logger, app.stop),
    (error: unknown) => {
      logger.fatal({ err: error }, `${name} failed to start`);
      process.exit(1);
    },
  );
}
