// The baseline: stock @apollo/gateway behind @apollo/server's standalone server, on a supergraph
// file, nothing else. `node --import tsx apollo-gateway.ts <supergraph> <port>`.
import { readFileSync } from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import {
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';

const [supergraphPath, port] = [process.argv[2]!, Number(process.argv[3])];
const gateway = new ApolloGateway({ supergraphSdl: readFileSync(supergraphPath, 'utf8') });
const server = new ApolloServer({
  gateway,
  plugins: [
    ApolloServerPluginLandingPageDisabled(),
    ApolloServerPluginSchemaReportingDisabled(),
    ApolloServerPluginUsageReportingDisabled(),
  ],
});
void startStandaloneServer(server, { listen: { port, host: '127.0.0.1' } }).then(() =>
  console.log(`apollo gateway on ${port}`),
);
process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
process.stdin.on('end', () => process.exit(0)).resume();
