import pino, { type Logger } from 'pino';

export type { Logger };

/** JSON logs on stdout; each process makes one root logger and hands out children per service. */
export function createLogger(processName: string, level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    name: processName,
    level,
    base: { process: processName, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: [
        'password',
        '*.password',
        'refreshToken',
        '*.refreshToken',
        'headers.authorization',
        'authorization',
      ],
      censor: '[redacted]',
    },
  });
}
