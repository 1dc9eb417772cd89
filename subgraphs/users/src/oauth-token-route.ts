// POST /oauth/token: the client credentials grant (RFC 6749 sections 2.3.1, 4.4, 5.1, 5.2).
// Errors are OAuth's JSON shape, not GraphQL's: OAuth client libraries read `error`.
import express, { type Express, type Request, type Response } from 'express';
import { CLIENT_ADDRESS_HEADER } from '@flow/subgraph-kit';
import {
  OAUTH_TOKEN_MAX_BODY_BYTES,
  OAUTH_TOKEN_PATH,
  oauthTokenSignedOperation,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifyRequestSignature,
  type Logger,
} from '@flow/core';
import {
  TokenGrantError,
  type ClientApplicationService,
  type ClientCredentials,
} from './services/client-application-service';

const STATUS: Record<TokenGrantError['code'], number> = {
  invalid_client: 401,
  invalid_scope: 400,
  invalid_request: 400,
  unsupported_grant_type: 400,
  temporarily_unavailable: 429,
};

const fail = (code: TokenGrantError['code'], description: string) => new TokenGrantError(code, description);

/** RFC 6749 2.3.1: id and secret are form-urlencoded before the Basic encoding. */
function basicCredentials(header: string): { clientId: string; clientSecret: string } {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  const decoded = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  if (colon < 0)
    throw fail('invalid_client', 'The Authorization header must be Basic client_id:client_secret.');
  const unescape = (value: string) => {
    try {
      return decodeURIComponent(value.replace(/\+/g, ' '));
    } catch {
      throw fail('invalid_client', 'The Basic credentials are not form-urlencoded.');
    }
  };
  return { clientId: unescape(decoded.slice(0, colon)), clientSecret: unescape(decoded.slice(colon + 1)) };
}

/** The request's credentials and scope, or the RFC error for a malformed request. */
export function readTokenRequest(form: string, authorization: string | undefined): ClientCredentials {
  const params = new URLSearchParams(form);
  const seen = new Set<string>();
  for (const key of params.keys()) {
    if (seen.has(key)) throw fail('invalid_request', `${key} is given more than once.`);
    seen.add(key);
  }
  const grantType = params.get('grant_type');
  if (!grantType) throw fail('invalid_request', 'grant_type is required.');
  if (grantType !== 'client_credentials')
    throw fail('unsupported_grant_type', 'Only grant_type=client_credentials is supported.');
  const inBody = params.has('client_id') || params.has('client_secret');
  if (authorization && inBody)
    throw fail('invalid_request', 'Authenticate with the Authorization header or the body, not both.');
  const credentials = authorization
    ? basicCredentials(authorization)
    : { clientId: params.get('client_id') ?? '', clientSecret: params.get('client_secret') ?? '' };
  if (!credentials.clientId || !credentials.clientSecret)
    throw fail('invalid_client', 'client_id and client_secret are required.');
  const scope = params.get('scope');
  return { ...credentials, scope: scope === null ? undefined : scope };
}

export function mountOAuthTokenRoute(
  app: Express,
  options: {
    clients: ClientApplicationService;
    routerSecret: string;
    production: boolean;
    logger: Logger;
  },
): void {
  app.post(
    OAUTH_TOKEN_PATH,
    express.text({ type: () => true, limit: OAUTH_TOKEN_MAX_BODY_BYTES }),
    async (req: Request, res: Response) => {
      res.set({ 'cache-control': 'no-store', pragma: 'no-cache' });
      const form = typeof req.body === 'string' ? req.body : '';
      const authorization = req.header('authorization') || undefined;
      const signature = req.header(SIGNATURE_HEADER);
      // Like /graphql: only the router in production; the forwarded address only when signed.
      if (signature || options.production) {
        const check = verifyRequestSignature(options.routerSecret, signature, {
          timestamp: req.header(TIMESTAMP_HEADER) ?? '',
          requestId: req.requestId,
          authorization: authorization ?? '',
          clientAddress: req.header(CLIENT_ADDRESS_HEADER) ?? '',
          ...oauthTokenSignedOperation(form),
        });
        if (!check.valid) {
          options.logger.warn(
            { requestId: req.requestId, reason: check.reason },
            'refused an unsigned token request',
          );
          return res
            .status(401)
            .json({ error: 'invalid_request', error_description: 'Use the Flow router.' });
        }
      }
      const clientAddress =
        (signature && req.header(CLIENT_ADDRESS_HEADER)) || req.socket.remoteAddress || null;
      const logger = options.logger.child({ requestId: req.requestId });
      try {
        if (!req.is('application/x-www-form-urlencoded'))
          throw fail('invalid_request', 'The body must be application/x-www-form-urlencoded.');
        const credentials = readTokenRequest(form, authorization);
        const granted = await options.clients.grant(
          { clientAddress, requestId: req.requestId, logger },
          credentials,
        );
        res.status(200).json({
          access_token: granted.accessToken,
          token_type: 'Bearer',
          expires_in: granted.expiresIn,
          scope: granted.scope,
        });
      } catch (error) {
        if (!(error instanceof TokenGrantError)) {
          logger.error({ err: error }, 'token request failed');
          res.set('retry-after', '5');
          return res
            .status(503)
            .json({ error: 'temporarily_unavailable', error_description: 'Try again shortly.' });
        }
        if (error.code === 'invalid_client' && authorization)
          res.set('www-authenticate', 'Basic realm="flow", charset="UTF-8"');
        if (error.retryAfterSeconds !== undefined) res.set('retry-after', String(error.retryAfterSeconds));
        logger.info({ error: error.code }, 'token request refused');
        res.status(STATUS[error.code]).json({ error: error.code, error_description: error.description });
      }
    },
  );
}
