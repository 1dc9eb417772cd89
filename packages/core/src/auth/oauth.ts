// The OAuth 2.0 token endpoint (client credentials, RFC 6749 section 4.4): served by users,
// re-exposed by the router at the same path. The router signs what it forwards like a GraphQL
// call: the path stands for the query and the form body for the variables, so users can trust
// the client address it forwards (the throttle's key) and refuse direct calls in production.
export const OAUTH_TOKEN_PATH = '/oauth/token';
export const OAUTH_TOKEN_MAX_BODY_BYTES = 8 * 1024;

export const oauthTokenSignedOperation = (form: string) => ({
  query: OAUTH_TOKEN_PATH,
  operationName: null,
  variables: { form },
});
