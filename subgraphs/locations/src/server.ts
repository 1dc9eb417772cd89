import { createLogger, disableTelemetry, onShutdownSignal } from '@flow/platform';
import { startLocationsApp } from './app';
import { loadLocationsConfig } from './env';

disableTelemetry();
const config = loadLocationsConfig();
const logger = createLogger('locations', config.logLevel);

startLocationsApp(config, logger).then(
  (app) => onShutdownSignal(logger, app.stop),
  (error: unknown) => {
    logger.fatal({ err: error }, 'locations failed to start');
    process.exit(1);
  },
);
