// One benchmark subgraph as a process: `node --import tsx subgraph.ts <name> <port>`. A bare
// node:http server executing on @apollo/subgraph's schema (parsed documents cached), so that the
// subgraphs cost the same under every gateway. GET /calls: the GraphQL requests it has answered
// (the harness's subgraph calls per request); /health/ready answers 200 for Flow's router. Accepts
// batches (a JSON array of operations) as Flow's subgraphs do.
import { createServer } from 'node:http';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, parse, validate, type DocumentNode } from 'graphql';
import { GUILD_SUBGRAPHS, resolvers, typeDefs, type GuildSubgraph } from './schemas';

const name = process.argv[2] as GuildSubgraph;
const port = Number(process.argv[3]);
if (!GUILD_SUBGRAPHS.includes(name) || !port) throw new Error('usage: subgraph.ts <name> <port>');

const schema = buildSubgraphSchema({ typeDefs: typeDefs[name], resolvers: resolvers[name] as never });
const documents = new Map<string, DocumentNode>();
let calls = 0;

function document(query: string): DocumentNode | readonly Error[] {
  const cached = documents.get(query);
  if (cached) return cached;
  const parsed = parse(query);
  const errors = validate(schema, parsed);
  if (errors.length) return errors;
  documents.set(query, parsed);
  return parsed;
}

interface Operation {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

async function run({ query, variables, operationName }: Operation): Promise<unknown> {
  const parsed = document(query);
  return Array.isArray(parsed)
    ? { errors: parsed.map((error) => ({ message: error.message })) }
    : await execute({ schema, document: parsed as DocumentNode, variableValues: variables, operationName });
}

const server = createServer((req, res) => {
  if (req.method === 'GET') {
    res.writeHead(req.url === '/calls' || req.url?.startsWith('/health') ? 200 : 404, {
      'content-type': 'application/json',
    });
    res.end(JSON.stringify(req.url === '/calls' ? { calls } : { status: 'ok' }));
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    calls += 1;
    void (async () => {
      let result: unknown;
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString()) as Operation | Operation[];
        // A JSON array is a batch (Apollo Server's allowBatchedHttpRequests, which Flow's own
        // subgraphs accept and its router sends): one HTTP call, one answer per operation.
        result = Array.isArray(body) ? await Promise.all(body.map(run)) : await run(body);
      } catch (error) {
        result = { errors: [{ message: (error as Error).message }] };
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(result));
    })();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
// Started with a pipe on stdin that the harness never writes: its end means the harness is gone.
process.stdin.on('end', () => process.exit(0)).resume();
