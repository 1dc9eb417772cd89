import {
  createRemoteJWKSet,
  decodeJwt,
  errors as joseErrors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import {
  PARTNER_SCOPES,
  organizationKinds,
  roles,
  scopesForRole,
  type OrganizationKind,
  type Role,
  type Viewer,
} from './viewer';
import { BoundedCache } from '../bounded-cache';

/** Only asymmetric algorithms: a leaked verifier key must never be able to mint tokens. */
export const ACCESS_TOKEN_ALGORITHMS = ['EdDSA', 'ES256'] as const;
export const CLOCK_TOLERANCE_SECONDS = 5;
/**
 * The oldest token accepted (seconds since its `iat`), and the longest lifetime (`exp - iat`) a
 * token may claim: a little above users' 15-minute access tokens, so a token minted with a stolen
 * key for years, or one replayed long after it was issued, is refused. MAX_TOKEN_AGE_SECONDS.
 */
export const DEFAULT_MAX_TOKEN_AGE_SECONDS = 1200;

export interface AccessTokenClaims extends JWTPayload {
  sub: string;
  org: string;
  orgKind: OrganizationKind;
  role: Role;
  scope: string;
  /** Partner tokens only (RFC 9068 `client_id`): the client application; equals `sub`. */
  client_id?: string;
  /** Partner tokens only: the application's client name (its manifest, schema/clients/<name>). */
  client_name?: string;
  /** Partner tokens only: the id of the client secret the token was obtained with. */
  sid?: string;
}

export interface TokenVerifierOptions {
  issuer: string;
  audience: string;
  /** createLocalJWKSet (users) or createRemoteJWKSet (router, other subgraphs). */
  keys: JWTVerifyGetKey;
  /** Refuses a token older than this or claiming a longer lifetime; DEFAULT_MAX_TOKEN_AGE_SECONDS. */
  maxTokenAgeSeconds?: number;
  /**
   * How many verified tokens are remembered (by their exact text, signature included), so that
   * the same token arriving again is not verified again: 0 (the default) remembers none.
   */
  verifiedTokenCacheSize?: number;
}

export class InvalidTokenError extends Error {
  constructor(readonly reason: string) {
    super(`invalid access token: ${reason}`);
    this.name = 'InvalidTokenError';
  }
}

/** jose reasons that mean "could not get the keys", not "the token is bad". */
export const KEYS_UNAVAILABLE_REASONS: ReadonlySet<string> = new Set([
  'ERR_JWKS_TIMEOUT',
  'ERR_JOSE_GENERIC',
  'ERR_JWKS_INVALID',
]);

/** True when verification failed because the signing keys could not be fetched (retry later). */
export const isKeysUnavailable = (error: unknown) =>
  !(error instanceof InvalidTokenError) || KEYS_UNAVAILABLE_REASONS.has(error.reason);

export type TokenVerifier = (token: string) => Promise<Viewer>;

/**
 * The longest a verified token is taken from the cache without verifying it again, whatever its
 * expiry: a signing key retired from the JWKS stops vouching for its tokens within this.
 */
export const VERIFIED_TOKEN_CACHE_SECONDS = 60;
/** Longer tokens are verified every time rather than cached (they would crowd the cache). */
const MAX_CACHED_TOKEN_LENGTH = 4096;

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const maxAge = options.maxTokenAgeSeconds ?? DEFAULT_MAX_TOKEN_AGE_SECONDS;
  const verify = verifyOnce(options, maxAge);
  const cache = new BoundedCache<string, Viewer>(options.verifiedTokenCacheSize ?? 0);
  if (cache.maxEntries <= 0) return verify;
  // Every subgraph a request reaches sees the same token again (router, pricing, then users,
  // locations, inventory...): its signature is checked once per process, not once per call. Only
  // tokens that verified are cached, keyed by their whole text, so a changed signature or claim is
  // a miss; each entry ends when the token would (exp and maxTokenAge), so expiry is unchanged.
  // Suspension and revocation are checked per request after this (SuspendedOrganizations).
  return async (token) => {
    const now = Date.now();
    const cached = cache.get(token, now);
    if (cached) return copyOf(cached);
    const viewer = await verify(token);
    const until = cacheUntil(token, maxAge, now);
    if (until > now && token.length <= MAX_CACHED_TOKEN_LENGTH) cache.set(token, copyOf(viewer), until);
    return viewer;
  };
}

/** Callers may change the viewer they get (add scopes...): the cached one stays as verified. */
const copyOf = (viewer: Viewer): Viewer => ({
  ...viewer,
  scopes: [...viewer.scopes],
  ...(viewer.clientApplication ? { clientApplication: { ...viewer.clientApplication } } : {}),
});

/** When jose would start refusing this (already verified) token, capped at the cache's own bound. */
function cacheUntil(token: string, maxAge: number, now: number): number {
  const { exp, iat } = decodeJwt(token);
  const refusedAt = Math.min(Number(exp), Number(iat) + maxAge) * 1000;
  // jose's clock tolerance is left out: a cached token ends at the earliest it could.
  return Math.min(refusedAt, now + VERIFIED_TOKEN_CACHE_SECONDS * 1000);
}

function verifyOnce(options: TokenVerifierOptions, maxAge: number): TokenVerifier {
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, options.keys, {
        algorithms: [...ACCESS_TOKEN_ALGORITHMS],
        issuer: options.issuer,
        audience: options.audience,
        requiredClaims: ['exp', 'iat', 'sub'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        // jose also refuses an `iat` in the future (beyond clockTolerance) once maxTokenAge is set.
        maxTokenAge: maxAge,
      }));
    } catch (error) {
      if (error instanceof joseErrors.JOSEError) throw new InvalidTokenError(error.code);
      throw error;
    }
    // Checked apart from the age: a 10-year token is refused at once, not only 20 minutes later.
    if (Number(payload.exp) - Number(payload.iat) > maxAge + CLOCK_TOLERANCE_SECONDS)
      throw new InvalidTokenError('ERR_TOKEN_LIFETIME_TOO_LONG');
    return viewerFromClaims(payload);
  };
}

export interface JwksOptions {
  issuer: string;
  audience: string;
  jwksUrl: string;
  cooldownSeconds: number;
  cacheSeconds: number;
  maxTokenAgeSeconds?: number;
  verifiedTokenCacheSize?: number;
}

/**
 * The verifier's options from the variables the router and every subgraph read alike: JWT_ISSUER,
 * JWT_AUDIENCE, USERS_JWKS_URL (unset: the key set users serves at the origin of `usersUrl`),
 * JWKS_COOLDOWN_SECONDS, JWKS_CACHE_SECONDS, MAX_TOKEN_AGE_SECONDS and VERIFIED_TOKEN_CACHE_SIZE.
 */
export function jwksOptionsFromEnv(env: Record<string, unknown>, usersUrl: string): Required<JwksOptions> {
  return {
    issuer: String(env.JWT_ISSUER),
    audience: String(env.JWT_AUDIENCE),
    jwksUrl:
      (env.USERS_JWKS_URL as string | undefined) ?? `${new URL(usersUrl).origin}/.well-known/jwks.json`,
    cooldownSeconds: Number(env.JWKS_COOLDOWN_SECONDS),
    cacheSeconds: Number(env.JWKS_CACHE_SECONDS),
    maxTokenAgeSeconds: Number(env.MAX_TOKEN_AGE_SECONDS),
    verifiedTokenCacheSize: Number(env.VERIFIED_TOKEN_CACHE_SIZE),
  };
}

/**
 * jose's remote JWKS caches the key set and refetches it when a token names an unknown `kid`
 * (at most once per cooldown): that is how a key published by users before it signs with it
 * becomes valid here without a restart.
 */
export function createRemoteTokenVerifier(options: JwksOptions): TokenVerifier {
  const keys = createRemoteJWKSet(new URL(options.jwksUrl), {
    cooldownDuration: options.cooldownSeconds * 1000,
    cacheMaxAge: options.cacheSeconds * 1000,
    timeoutDuration: 5000,
  });
  return createTokenVerifier({
    issuer: options.issuer,
    audience: options.audience,
    keys,
    maxTokenAgeSeconds: options.maxTokenAgeSeconds,
    verifiedTokenCacheSize: options.verifiedTokenCacheSize,
  });
}

function viewerFromClaims(payload: JWTPayload): Viewer {
  const { sub, org, orgKind, role, jti, scope, client_id, client_name, sid } =
    payload as Partial<AccessTokenClaims>;
  if (typeof sub !== 'string' || typeof org !== 'string') throw new InvalidTokenError('ERR_CLAIMS_MISSING');
  if (!roles.includes(role as Role)) throw new InvalidTokenError('ERR_ROLE_INVALID');
  if (!organizationKinds.includes(orgKind as OrganizationKind))
    throw new InvalidTokenError('ERR_ORG_KIND_INVALID');
  const viewer: Viewer = {
    userId: sub,
    organizationId: org,
    organizationKind: orgKind as OrganizationKind,
    role: role as Role,
    scopes: scopesForRole(role as Role),
    tokenId: typeof jti === 'string' ? jti : undefined,
  };
  const isClient = client_id !== undefined || client_name !== undefined || sid !== undefined;
  if (role !== 'PARTNER') {
    // A person's token never names a client: a claim that says otherwise is not ours.
    if (isClient) throw new InvalidTokenError('ERR_CLIENT_CLAIMS_UNEXPECTED');
    return viewer;
  }
  // `sid` is required: a partner token that cannot be tied to its secret could outlive a rotation.
  if (
    typeof client_id !== 'string' ||
    client_id !== sub ||
    typeof client_name !== 'string' ||
    !client_name ||
    typeof sid !== 'string' ||
    !sid
  )
    throw new InvalidTokenError('ERR_CLIENT_CLAIMS_MISSING');
  // Only partner scopes are taken from the token: a partner is never an admin, whatever it says.
  const granted = typeof scope === 'string' ? scope.split(' ') : [];
  viewer.scopes.push(...PARTNER_SCOPES.filter((s) => granted.includes(s)));
  viewer.clientApplication = { id: client_id, name: client_name, secretId: sid };
  return viewer;
}

/** The token in an `Authorization: Bearer <token>` header, or null when there is none. */
export function bearerToken(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(value.trim());
  if (!match) throw new InvalidTokenError('ERR_AUTHORIZATION_HEADER_MALFORMED');
  return match[1] ?? null;
}
