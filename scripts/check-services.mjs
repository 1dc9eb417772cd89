// Fails loudly when a service the tests rely on does not answer, instead of letting tests skip.
import net from 'node:net';
import pg from 'pg';

const databaseUrl = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const tcp = (name, host, port) =>
  new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, timeout: 3000 });
    socket.once('connect', () => (socket.destroy(), resolve(`${name} ${host}:${port} reachable`)));
    socket.once('timeout', () => (socket.destroy(), reject(new Error(`${name} ${host}:${port} timed out`))));
    socket.once('error', (error) =>
      reject(new Error(`${name} ${host}:${port} unreachable: ${error.message}`)),
    );
  });

async function postgres() {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3000 });
  await client.connect();
  const { rows } = await client.query('SHOW server_version');
  await client.end();
  return `PostgreSQL ${rows[0].server_version} answers at ${new URL(databaseUrl).host}`;
}

const redis = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const amqp = new URL(process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672');
const outcomes = await Promise.allSettled([
  postgres(),
  tcp('Redis', redis.hostname, Number(redis.port || 6379)),
  tcp('RabbitMQ', amqp.hostname, Number(amqp.port || 5672)),
]);
let ok = true;
for (const outcome of outcomes) {
  if (outcome.status === 'fulfilled') console.log(`services: ${outcome.value}`);
  else {
    ok = false;
    console.error(`services: ${outcome.reason.message}`);
  }
}
if (!ok) {
  console.error('services: a required service is unreachable; failing instead of skipping tests.');
  process.exit(1);
}
