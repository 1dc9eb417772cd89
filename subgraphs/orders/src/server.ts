import { createLogger, disableTelemetry, onShutdownSignal } from '@flow/platform';
import { startOrdersApp } from './app';
import { loadOrdersConfig } from './env';

disableTelemetry();
const config = loadOrdersConfig();
const logger = createLogger('orders', config.logLevel);

startOrdersApp(config, logger).then(
  (app) => onShutdownSignal(logger, app.stop),
  (error: unknown) => {
    logger.fatal({ err: error }, 'orders failed to start');
    process.exit(1);
  },
);
