// The page a browser gets on GET /graphql outside production: a small explorer written into one
// HTML document, so it works with no internet and sends nothing off the machine (Apollo's own
// landing pages load their code from Apollo's CDN). It posts the query, variables and an optional
// bearer token to the page's own URL with a JSON content type, so the CSRF rule lets it through.
import type { ApolloServerPlugin } from '@apollo/server';

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Flow GraphQL explorer</title>
<style>
  body { font: 14px system-ui, sans-serif; margin: 0; display: grid; grid-template-columns: 1fr 1fr; height: 100vh; }
  section { display: flex; flex-direction: column; padding: 12px; gap: 8px; min-height: 0; }
  textarea, pre, input { font: 13px ui-monospace, monospace; border: 1px solid #ccc; padding: 8px; }
  #query { flex: 3; } #variables { flex: 1; } pre { flex: 1; overflow: auto; margin: 0; background: #f7f7f7; }
  button { padding: 6px 16px; font-weight: 600; }
</style>
</head>
<body>
<section>
  <label for="token">Bearer token (the accessToken from login; empty: anonymous)</label>
  <input id="token" autocomplete="off">
  <label for="query">Operation</label>
  <textarea id="query" spellcheck="false">{ me { id name organization { name } } }</textarea>
  <label for="variables">Variables (JSON)</label>
  <textarea id="variables" spellcheck="false">{}</textarea>
  <button id="run" type="button">Run</button>
</section>
<section>
  <label for="result">Result</label>
  <pre id="result"></pre>
</section>
<script>
  const field = (id) => document.getElementById(id);
  field('run').addEventListener('click', async () => {
    let variables;
    try { variables = JSON.parse(field('variables').value || '{}'); }
    catch { field('result').textContent = 'Variables are not valid JSON.'; return; }
    const headers = { 'content-type': 'application/json' };
    const token = field('token').value.trim();
    if (token) headers.authorization = 'Bearer ' + token;
    const response = await fetch(location.pathname, {
      method: 'POST', headers, body: JSON.stringify({ query: field('query').value, variables }),
    });
    const text = await response.text();
    try { field('result').textContent = 'HTTP ' + response.status + '\\n' + JSON.stringify(JSON.parse(text), null, 2); }
    catch { field('result').textContent = 'HTTP ' + response.status + '\\n' + text; }
  });
</script>
</body>
</html>
`;

/** Serves the offline explorer as Apollo Server's landing page. */
export function offlineExplorer(): ApolloServerPlugin {
  return {
    async serverWillStart() {
      return {
        async renderLandingPage() {
          return { html: PAGE };
        },
      };
    },
  };
}
