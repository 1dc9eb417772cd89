/* global document, location */
// The explorer's browser code: GraphiQL from npm, bundled by the router (src/explorer.ts) into one
// script and one stylesheet it serves itself. Everything it calls is the page's own origin: queries
// and mutations POST to /graphql (JSON, so the CSRF rule lets them through), subscriptions go over
// graphql-ws on the same path with the Authorization header in connection_init, as the router expects.
import { createElement as h, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { useHeadersEditorState } from '@graphiql/react';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { getOperationAST } from 'graphql';
import { createClient } from 'graphql-ws';
import 'graphiql/style.css';
import './page.css';

const ENDPOINT = `${location.origin}/graphql`;
const SOCKET = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/graphql`;
const TOKEN_PLACEHOLDER = 'Bearer <paste the accessToken from login, or use Sign in>';

const DEFAULT_QUERY = `# Flow GraphQL explorer: GraphiQL served by the router itself (works with no internet).
#
# Signed-in operations need a bearer token. Open "Sign in" (the key on the left), or run
# the login mutation and put its accessToken into the Headers tab below:
#   {"Authorization": "Bearer <accessToken>"}
# Subscriptions (orderUpdated, orderEvents, ...) run over WebSocket (graphql-ws) with the
# same Authorization header. The book icon opens the schema documentation.

query Me {
  me {
    id
    name
    organization { name }
  }
}
`;

/** The Authorization value of the headers editor, unless it still holds the placeholder. */
function authorizationOf(headers) {
  const entry = Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === 'authorization');
  const value = entry ? String(entry[1]).trim() : '';
  return value === '' || value.includes('<') ? null : value;
}

const withoutPlaceholder = (headers) =>
  Object.fromEntries(
    Object.entries(headers ?? {}).filter(
      ([name, value]) => name.toLowerCase() !== 'authorization' || authorizationOf({ [name]: value }),
    ),
  );

const http = createGraphiQLFetcher({ url: ENDPOINT });

// One socket per token: the router reads the token once, in connection_init.
let socket = { authorization: undefined, client: null };
function socketFor(authorization) {
  if (socket.client && socket.authorization === authorization) return socket.client;
  socket.client?.dispose();
  const client = createClient({
    url: SOCKET,
    lazy: true,
    connectionParams: authorization ? { authorization } : {},
  });
  socket = { authorization, client };
  return client;
}

function fetcher(params, options) {
  const headers = options?.headers;
  const operation =
    options?.documentAST && getOperationAST(options.documentAST, params.operationName ?? undefined);
  if (operation?.operation === 'subscription') return socketFor(authorizationOf(headers)).iterate(params);
  return http(params, { ...options, headers: withoutPlaceholder(headers) });
}

const SIGN_IN = `mutation SignIn($email: String!, $password: String!) {
  login(email: $email, password: $password) { accessToken accessTokenExpiresAt user { name } }
}`;

function mergeAuthorization(text, authorization) {
  let headers = {};
  try {
    const parsed = JSON.parse(text || '{}');
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) headers = parsed;
  } catch {
    // Unreadable headers are replaced: the sign-in result matters more than a broken draft.
  }
  const kept = Object.fromEntries(
    Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'authorization'),
  );
  return JSON.stringify({ ...kept, Authorization: authorization }, null, 2);
}

function SignIn() {
  const [headers, setHeaders] = useHeadersEditorState();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [status, setStatus] = useState('');

  async function submit(event) {
    event.preventDefault();
    setStatus('Signing in…');
    try {
      const response = await fetch(ENDPOINT, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: SIGN_IN, variables: { email, password } }),
      });
      const body = await response.json();
      const login = body.data?.login;
      if (!login) {
        const error = body.errors?.[0];
        setStatus(
          `Not signed in: ${error?.message ?? `HTTP ${response.status}`} (${error?.extensions?.code ?? ''})`,
        );
        return;
      }
      setHeaders(mergeAuthorization(headers, `Bearer ${login.accessToken}`));
      setPassword('');
      setStatus(
        `Signed in as ${login.user.name}. The token is in the Headers tab until ${login.accessTokenExpiresAt}; sign in again after that.`,
      );
    } catch (error) {
      setStatus(`Not signed in: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  const sandbox = `https://studio.apollographql.com/sandbox/explorer?endpoint=${encodeURIComponent(ENDPOINT)}`;
  return h(
    'div',
    { className: 'flow-sign-in' },
    h('div', { className: 'graphiql-doc-explorer-title' }, 'Sign in'),
    h(
      'p',
      null,
      'Calls the login mutation and puts {"Authorization": "Bearer <accessToken>"} into the Headers tab. ',
      'Queries, mutations and subscriptions then run as that user. The token is not stored by the page.',
    ),
    h(
      'form',
      { onSubmit: submit },
      h(
        'label',
        null,
        'Email',
        h('input', {
          type: 'email',
          name: 'email',
          value: email,
          autoComplete: 'username',
          onChange: (e) => setEmail(e.target.value),
        }),
      ),
      h(
        'label',
        null,
        'Password',
        h('input', {
          type: 'password',
          name: 'password',
          value: password,
          autoComplete: 'current-password',
          onChange: (e) => setPassword(e.target.value),
        }),
      ),
      h('button', { type: 'submit', className: 'graphiql-button' }, 'Sign in'),
    ),
    h('p', { role: 'status', 'data-testid': 'sign-in-status' }, status),
    navigator.onLine
      ? h(
          'p',
          { className: 'flow-sandbox' },
          'Online? You can also ',
          h('a', { href: sandbox, target: '_blank', rel: 'noopener noreferrer' }, 'open Apollo Sandbox'),
          ' (on apollographql.com; it needs this origin in the router’s CORS_ORIGINS and sends your operations through your browser from there).',
        )
      : null,
  );
}

const KeyIcon = () =>
  h(
    'svg',
    { viewBox: '0 0 24 24', fill: 'none', stroke: 'currentColor', strokeWidth: 1.5, 'aria-hidden': true },
    h('circle', { cx: 8, cy: 15, r: 4 }),
    h('path', { d: 'M11 12l9-9M17 6l3 3M15 8l2 2' }),
  );

const signInPlugin = { title: 'Sign in', icon: KeyIcon, content: SignIn };

createRoot(document.getElementById('graphiql')).render(
  h(GraphiQL, {
    fetcher,
    plugins: [signInPlugin],
    defaultQuery: DEFAULT_QUERY,
    defaultHeaders: JSON.stringify({ Authorization: TOKEN_PLACEHOLDER }, null, 2),
    defaultEditorToolsVisibility: 'headers',
    shouldPersistHeaders: false,
  }),
);
