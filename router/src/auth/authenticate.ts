// Bearer-token verification, before Apollo and before any subgraph is called.
// No Authorization header: anonymous. A bad, expired or foreign token: HTTP 401 UNAUTHENTICATED.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { GraphQLError } from 'graphql';
import {
  bearerToken,
  ErrorCode,
  InvalidTokenError,
  isKeysUnavailable,
  RouterErrorCode,
  type Logger,
  type SuspendedOrganizations,
  type TokenVerifier,
  type Viewer,
} from '@flow/core';

export { createRemoteTokenVerifier, type JwksOptions } from '@flow/core';

/** What the rest of the request sees, stored in `res.locals.auth`. */
export interface RequestAuth {
  viewer: Viewer | null;
  /** The normalized `Bearer <token>` header forwarded to subgraphs, or null when anonymous. */
  authorization: string | null;
}

export type AuthOutcome = 'anonymous' | 'verified' | 'rejected' | 'unavailable' | 'suspended';

function sendError(res: Response, status: number, code: string, message: string) {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

export function authenticate(
  verify: TokenVerifier,
  onOutcome: (outcome: AuthOutcome, reason?: string) => void = () => {},
  suspensions?: SuspendedOrganizations,
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
      // A suspended organization's token is refused here, before parsing and planning.
      const refusal = suspensionRefusal(suspensions, viewer);
      if (refusal) {
        onOutcome(refusal.code === ErrorCode.FORBIDDEN ? 'suspended' : 'unavailable', 'suspension');
        logger.info(
          { organizationId: viewer.organizationId, code: refusal.code },
          'refused a token by suspension',
        );
        if (refusal.code !== ErrorCode.FORBIDDEN) res.setHeader('retry-after', '5');
        return res
          .status(refusal.code === ErrorCode.FORBIDDEN ? 403 : 503)
          .json({ errors: [{ message: refusal.message, extensions: refusal.extensions }] });
      }
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

/** The error a suspension check gives this viewer, or null when it may go on. */
export function suspensionRefusal(
  suspensions: SuspendedOrganizations | undefined,
  viewer: Viewer | null,
): { code: string; message: string; extensions: Record<string, unknown> } | null {
  try {
    suspensions?.check(viewer);
    return null;
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    const { http: _http, ...extensions } = error.extensions;
    return { code: String(extensions.code), message: error.message, extensions };
  }
}
