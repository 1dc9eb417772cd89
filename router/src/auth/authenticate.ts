// Bearer-token verification, before Apollo and before any subgraph is called.
// No Authorization header: anonymous. A bad, expired or foreign token: HTTP 401 UNAUTHENTICATED.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  bearerToken,
  ErrorCode,
  InvalidTokenError,
  isKeysUnavailable,
  type Logger,
  type TokenVerifier,
  type Viewer,
} from '@flow/platform';
import { RouterErrorCode } from '../errors';

export { createRemoteTokenVerifier, type JwksOptions } from '@flow/platform';

/** What the rest of the request sees, stored in `res.locals.auth`. */
export interface RequestAuth {
  viewer: Viewer | null;
  /** The normalized `Bearer <token>` header forwarded to subgraphs, or null when anonymous. */
  authorization: string | null;
}

export type AuthOutcome = 'anonymous' | 'verified' | 'rejected' | 'unavailable';

function sendError(res: Response, status: number, code: string, message: string) {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

export function authenticate(
  verify: TokenVerifier,
  onOutcome: (outcome: AuthOutcome, reason?: string) => void = () => {},
): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const logger = res.locals.logger as Logger;
    let token: string | null;
    try {
      token = bearerToken(req.headers.authorization);
    } catch (error) {
      const reason = error instanceof InvalidTokenError ? error.reason : 'unknown';
      onOutcome('rejected', reason);
      logger.info({ reason }, 'rejected a malformed Authorization header');
      res.setHeader('www-authenticate', 'Bearer error="invalid_request"');
      return sendError(
        res,
        401,
        ErrorCode.UNAUTHENTICATED,
        'The Authorization header must be "Bearer <access token>".',
      );
    }
    if (!token) {
      res.locals.auth = { viewer: null, authorization: null } satisfies RequestAuth;
      onOutcome('anonymous');
      return next();
    }
    try {
      const viewer = await verify(token);
      res.locals.auth = { viewer, authorization: `Bearer ${token}` } satisfies RequestAuth;
      onOutcome('verified');
      return next();
    } catch (error) {
      if (error instanceof InvalidTokenError && !isKeysUnavailable(error)) {
        onOutcome('rejected', error.reason);
        logger.info({ reason: error.reason }, 'rejected an access token');
        res.setHeader('www-authenticate', 'Bearer error="invalid_token"');
        return sendError(res, 401, ErrorCode.UNAUTHENTICATED, 'The access token is invalid or expired.');
      }
      onOutcome('unavailable', error instanceof InvalidTokenError ? error.reason : 'fetch_failed');
      logger.error({ err: error }, 'could not verify an access token: signing keys unavailable');
      res.setHeader('retry-after', '5');
      return sendError(
        res,
        503,
        RouterErrorCode.SERVICE_UNAVAILABLE,
        'Access tokens cannot be verified right now. Try again shortly.',
      );
    }
  };
}
