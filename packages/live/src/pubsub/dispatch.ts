import type { Logger } from '@flow/core';

/**
 * Calls one listener so that nothing it does reaches the publisher or the other listeners: a throw
 * or a rejected promise (an async listener) is logged.
 */
export function invokeListener(logger: Logger, topic: string, call: () => unknown): void {
  try {
    const result = call();
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      (result as Promise<unknown>).then(undefined, (error: unknown) => listenerFailed(logger, topic, error));
    }
  } catch (error) {
    listenerFailed(logger, topic, error);
  }
}

function listenerFailed(logger: Logger, topic: string, error: unknown) {
  logger.error({ err: error, topic }, 'pub/sub listener failed');
}
