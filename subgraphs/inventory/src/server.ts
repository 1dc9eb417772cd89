import { createLogger, disableTelemetry, onShutdownSignal } from '@flow/platform';
import { startInventoryApp } from './app';
import { loadInventoryConfig } from './env';

disableTelemetry();
const config = loadInventoryConfig();
const logger = createLogger('inventory', config.logLevel);

startInventoryApp(config, logger).then(
  (app) => onShutdownSignal(logger, app.stop),
  (error: unknown) => {
    logger.fatal({ err: error }, 'inventory failed to start');
    process.exit(1);
  },
);
