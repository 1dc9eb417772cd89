// Production mode: only signed calls get in, and `callerService` is proven by the signature.
import { randomUUID } from 'node:crypto';
import { createGraphQLClient } from '@flow/testing';
import {
  AUTHORIZE,
  CAPTURE,
  cardInput,
  createPaymentsTestEnvironment,
  newViewer,
  type PaymentsTestEnvironment,
} from './support';

let t: PaymentsTestEnvironment;
beforeAll(async () => {
  t = await createPaymentsTestEnvironment({ FLOW_ENV: 'production' });
});
afterAll(() => t.stop());

test('the orders service authorises and captures with signed calls', async () => {
  const hospital = newViewer('HOSPITAL', 'HOSPITAL_STAFF');
  const orders = await t.orders(hospital);
  const { authorizePayment } = await orders.mutate<{ authorizePayment: { id: string; status: string } }>(
    AUTHORIZE,
    {
      input: cardInput(hospital.organizationId, randomUUID(), 900),
      key: randomUUID(),
    },
  );
  expect(authorizePayment.status).toBe('AUTHORIZED');
  const { capturePayment } = await orders.mutate<{ capturePayment: { status: string } }>(CAPTURE, {
    id: authorizePayment.id,
    key: randomUUID(),
  });
  expect(capturePayment.status).toBe('CAPTURED');
});

test('an unsigned call is refused and changes nothing', async () => {
  const hospital = newViewer('HOSPITAL', 'HOSPITAL_ADMIN');
  const before = await t.sql<{ n: number }>('SELECT count(*)::int AS n FROM payments');
  const result = await createGraphQLClient(t.app.url)({
    query: AUTHORIZE,
    variables: { input: cardInput(hospital.organizationId, randomUUID()), key: randomUUID() },
    token: await t.as(hospital),
  });
  expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  expect(await t.sql<{ n: number }>('SELECT count(*)::int AS n FROM payments')).toEqual(before);
});
