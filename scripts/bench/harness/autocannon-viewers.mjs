// autocannon with one bearer token per request in turn (argv[2]: a JSON spec). The router shares
// a call between identical queries in flight only for the same token and client address, so one
// token at many connections measures that sharing rather than the work of many viewers; with a
// token per request in turn, no two requests in flight share a viewer unless there are more
// connections than tokens. Prints autocannon's result as JSON, as its CLI's --json does.
import autocannon from 'autocannon';

const { url, body, headers, authorizations, connections, seconds } = JSON.parse(process.argv[2]);
let next = 0;
const result = await autocannon({
  url,
  connections,
  duration: seconds,
  method: 'POST',
  headers,
  body,
  requests: [
    {
      setupRequest: (request) => ({
        ...request,
        headers: { ...request.headers, authorization: authorizations[next++ % authorizations.length] },
      }),
    },
  ],
});
process.stdout.write(JSON.stringify(result));
