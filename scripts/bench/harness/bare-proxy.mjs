// The least a hop can cost, for router-overhead.ts: a node:http server that forwards each POST to
// TARGET_URL over a keep-alive agent, with the client's headers as they are (the client signs as
// the router would), and answers with the subgraph's body. No GraphQL, no checks, no logs. Listens
// on 127.0.0.1:PORT; GET /health/live answers 200. Stops on SIGTERM/SIGINT, or when its stdin
// ends under a supervisor (FLOW_SUPERVISED=1), as every process the benchmarks start.
import http from 'node:http';

const target = new URL(process.env.TARGET_URL);
const agent = new http.Agent({ keepAlive: true });

const server = http.createServer((req, res) => {
  if (req.url === '/health/live') return void res.end('ok');
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const headers = { ...req.headers, host: target.host, 'content-length': String(body.length) };
    const forwarded = http.request(
      { agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers },
      (answer) => {
        const parts = [];
        answer.on('data', (chunk) => parts.push(chunk));
        answer.on('end', () => {
          const payload = Buffer.concat(parts);
          res.writeHead(answer.statusCode ?? 502, {
            'content-type': answer.headers['content-type'] ?? 'application/json',
            'content-length': payload.length,
          });
          res.end(payload);
        });
      },
    );
    forwarded.on('error', () => {
      res.statusCode = 502;
      res.end();
    });
    forwarded.end(body);
  });
});

server.listen(Number(process.env.PORT), '127.0.0.1');

const stop = () => {
  server.close();
  server.closeAllConnections();
  agent.destroy();
  process.stdin.destroy();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
if (process.env.FLOW_SUPERVISED === '1') {
  process.stdin.on('end', stop);
  process.stdin.resume();
}
