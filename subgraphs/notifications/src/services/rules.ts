// Which domain events make which notifications, for whom, with what text. Pure: no database, so
// every rule is tested on its own. Texts are for people: order numbers, amounts, counts; no ids.
import { isUuid } from '@flow/platform';
import type { NotificationType } from '../generated/prisma/client';

/**
 * What this subgraph reads of a domain event: the fields of the platform's DomainEvent
 * (packages/platform/src/events/types.ts) it uses, declared here so that any DomainEvent fits
 * without this subgraph depending on the transport's module.
 */
export interface ConsumedEvent {
  /** The producer's outbox row id (uuid): the deduplication key. */
  id: string;
  /** The routing key, e.g. `order.placed`. */
  type: string;
  /** ISO 8601 time of the change. */
  occurredAt: string;
  /** The organizations that may see the event. */
  organizationIds: string[];
  data: Record<string, unknown>;
}

/** One notification an event makes: to an organization (its admins and staff) or to one user. */
export interface PlannedNotification {
  type: NotificationType;
  title: string;
  body: string;
  organizationId: string | null;
  userId: string | null;
  orderId: string | null;
  depotId: string | null;
  productId: string | null;
}

/**
 * An event of a known type that cannot be turned into notifications: retrying will not help, so
 * the event bus dead-letters it at once (`permanent`, see PermanentEventError).
 */
export class MalformedEventError extends Error {
  readonly permanent = true;
  constructor(event: Pick<ConsumedEvent, 'id' | 'type'>, problem: string) {
    super(`malformed ${String(event.type)} event ${JSON.stringify(event.id)}: ${problem}`);
    this.name = 'MalformedEventError';
  }
}

const MAX_REASON_LENGTH = 300;
const MAX_NUMBER_LENGTH = 40;

/**
 * The notifications `event` makes; null for a type this subgraph does not handle (acknowledge it,
 * make nothing). Throws MalformedEventError when a handled event lacks what its rule needs.
 */
export function planNotifications(event: ConsumedEvent): PlannedNotification[] | null {
  const rule = Object.hasOwn(RULES, event.type) ? RULES[event.type] : undefined;
  if (!rule) return null;
  const read = new EventReader(event);
  read.checkEnvelope();
  return rule(read);
}

type Rule = (read: EventReader) => PlannedNotification[];

const RULES: Record<string, Rule> = {
  'order.placed': (read) => {
    const order = orderFacts(read);
    const kind = order.priorityWord ?? 'new';
    const worth = order.total ? ` of ${order.total}` : '';
    return [
      toOrganization(read.organization('vendorOrganizationId'), order, {
        type: 'ORDER_PLACED',
        title: order.urgency ? `New ${order.urgency} order ${order.number}` : `New order ${order.number}`,
        body: `${capitalize(article(kind))} ${kind} order${worth} is waiting for your confirmation.`,
      }),
    ];
  },
  'order.confirmed': (read) => {
    const order = orderFacts(read);
    return [
      toOrganization(read.organization('hospitalOrganizationId'), order, {
        type: 'ORDER_CONFIRMED',
        title: `Order ${order.number} was confirmed`,
        body: 'The vendor accepted your order and will dispatch it from the depot.',
      }),
    ];
  },
  'order.rejected': (read) => {
    const order = orderFacts(read);
    return [
      toOrganization(read.organization('hospitalOrganizationId'), order, {
        type: 'ORDER_REJECTED',
        title: `Order ${order.number} was rejected`,
        body: `The vendor turned down your order.${order.reason ? ` Reason: ${order.reason}` : ''}`,
      }),
    ];
  },
  'order.dispatched': (read) => {
    const order = orderFacts(read);
    const driverId = read.uuid('driverId');
    const delivery = order.urgency ? `${capitalize(order.urgency)} delivery` : 'Delivery';
    return [
      toOrganization(read.organization('hospitalOrganizationId'), order, {
        type: 'ORDER_DISPATCHED',
        title: `Order ${order.number} is on its way`,
        body: 'A driver has left the depot with your order. Follow the delivery live on the order.',
      }),
      toUser(driverId, order, {
        type: 'DELIVERY_ASSIGNED',
        title: `${delivery} ${order.number} assigned to you`,
        body: `Pick up order ${order.number} at the depot and deliver it to the hospital site.`,
      }),
    ];
  },
  'order.delivered': (read) => {
    const order = orderFacts(read);
    return [
      toOrganization(read.organization('hospitalOrganizationId'), order, {
        type: 'ORDER_DELIVERED',
        title: `Order ${order.number} was delivered`,
        body: 'Your order was delivered and signed for at the site.',
      }),
    ];
  },
  'order.cancelled': (read) => {
    const order = orderFacts(read);
    return [
      toOrganization(read.organization('vendorOrganizationId'), order, {
        type: 'ORDER_CANCELLED',
        title: `Order ${order.number} was cancelled`,
        body:
          'The hospital cancelled the order; its stock is no longer held.' +
          (order.reason ? ` Reason: ${order.reason}` : ''),
      }),
    ];
  },
  'stock.low': (read) => {
    // inventory's stock snapshot names no vendor: the event's one organization is the vendor.
    const vendor = read.has('vendorOrganizationId')
      ? read.organization('vendorOrganizationId')
      : read.soleOrganization();
    const available = read.integer('available');
    const reorderLevel = read.integer('reorderLevel');
    const onHand = read.optionalInteger('onHand');
    return [
      {
        type: 'STOCK_LOW',
        title: `Stock low: ${available} left (reorder level ${reorderLevel})`,
        body:
          'Available stock of a product at one of your depots fell below its reorder level' +
          `${onHand === null ? '' : ` (${onHand} on hand)`}. Restock it to keep taking orders.`,
        organizationId: vendor,
        userId: null,
        orderId: null,
        depotId: read.uuid('depotId'),
        productId: read.uuid('productId'),
      },
    ];
  },
  'payment.failed': (read) => {
    // payments names neither party in data; its organizationIds are [payer, payee].
    const hospital = read.has('payerOrganizationId')
      ? read.organization('payerOrganizationId')
      : read.firstOrganization();
    const amount = read.money('amountMinor', 'currency');
    const card = read.optionalText('method', 20) === 'CARD';
    return [
      {
        type: 'PAYMENT_FAILED',
        title: `${card ? 'Card payment' : 'Payment'}${amount ? ` of ${amount}` : ''} failed`,
        body: paymentFailureText(read.optionalText('failureReason', 100)),
        organizationId: hospital,
        userId: null,
        orderId: read.uuid('orderId'),
        depotId: null,
        productId: null,
      },
    ];
  },
  'organization.approved': (read) => {
    const organization = organizationFacts(read);
    // Approving a SUSPENDED organization reinstates it (users writes the status it had before).
    const reinstated = read.optionalText('previousStatus', 40) === 'SUSPENDED';
    const can = canWhenActive(organization.kind);
    return [
      toOrganizationItself(organization.id, {
        type: 'ORGANIZATION_APPROVED',
        title: reinstated ? 'Your organization was reinstated' : 'Your organization was approved',
        body: reinstated
          ? `${organization.name} is active again${can ? ` and can ${can}` : ''}.`
          : `${organization.name} ${can ? `can now ${can}` : 'is active'}.` +
            (organization.kind === 'VENDOR'
              ? ' Hospitals see your offers for the products you stock and price at your depots.'
              : ''),
      }),
    ];
  },
  'organization.suspended': (read) => {
    const organization = organizationFacts(read);
    const reason = read.optionalText('reason', MAX_REASON_LENGTH);
    const noOrders = organization.kind === 'VENDOR' ? ' and it receives no orders' : '';
    return [
      toOrganizationItself(organization.id, {
        type: 'ORGANIZATION_SUSPENDED',
        title: 'Your organization was suspended',
        body:
          `A platform admin suspended ${organization.name}: its users cannot sign in${noOrders} ` +
          `until it is reinstated.${reason ? ` Reason: ${reason}` : ''}`,
      }),
    ];
  },
};

/** The event types that make notifications (what the subgraph's queue must be bound to). */
export const HANDLED_EVENT_TYPES: readonly string[] = Object.keys(RULES);

function paymentFailureText(reason: string | null): string {
  switch (reason) {
    case 'card_declined':
      return 'The card was declined. Try again with another card or pay by invoice.';
    case 'provider_timeout':
    case 'provider_error':
      return 'The payment provider did not answer. Anything held on the card is released automatically; try again shortly.';
    default:
      return 'The payment could not be completed. Try again, or pay by invoice.';
  }
}

interface OrderFacts {
  orderId: string;
  number: string;
  /** routine, urgent or emergency; null when the event does not say. */
  priorityWord: string | null;
  /** urgent or emergency (worth a word in a title); null otherwise. */
  urgency: string | null;
  total: string | null;
  reason: string | null;
}

const PRIORITIES = ['ROUTINE', 'URGENT', 'EMERGENCY'];

function orderFacts(read: EventReader): OrderFacts {
  const priority = read.optionalText('priority', 20);
  const priorityWord = priority !== null && PRIORITIES.includes(priority) ? priority.toLowerCase() : null;
  const total = read.nested('total');
  return {
    orderId: read.uuid('orderId'),
    number: read.text('number', MAX_NUMBER_LENGTH),
    priorityWord,
    urgency: priorityWord === 'routine' ? null : priorityWord,
    total: total ? total.money('amountMinor', 'currency') : null,
    reason: read.optionalText('reason', MAX_REASON_LENGTH),
  };
}

interface OrganizationFacts {
  id: string;
  /** Its name as registered; "Your organization" when the event does not say. */
  name: string;
  kind: string | null;
}

const MAX_ORGANIZATION_NAME_LENGTH = 200;

/** What an active organization of its kind may do, for the text of an approval. */
function canWhenActive(kind: string | null): string | null {
  if (kind === 'VENDOR') return 'receive orders';
  if (kind === 'HOSPITAL') return 'place orders with vendors';
  return null;
}

function organizationFacts(read: EventReader): OrganizationFacts {
  return {
    id: read.organization('organizationId'),
    name: read.optionalText('name', MAX_ORGANIZATION_NAME_LENGTH) ?? 'Your organization',
    kind: read.optionalText('kind', 20),
  };
}

type Text = Pick<PlannedNotification, 'type' | 'title' | 'body'>;

function toOrganization(organizationId: string, order: OrderFacts, text: Text): PlannedNotification {
  return { ...text, organizationId, userId: null, orderId: order.orderId, depotId: null, productId: null };
}

/** About the organization itself, not an order: its admins and staff read it. */
function toOrganizationItself(organizationId: string, text: Text): PlannedNotification {
  return { ...text, organizationId, userId: null, orderId: null, depotId: null, productId: null };
}

function toUser(userId: string, order: OrderFacts, text: Text): PlannedNotification {
  return { ...text, organizationId: null, userId, orderId: order.orderId, depotId: null, productId: null };
}

const article = (word: string) => (/^[aeiou]/i.test(word) ? 'an' : 'a');
const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** "USD 1,250.00", in the currency's own minor unit (JPY has none). */
export function formatMoney(amountMinor: number, currency: string): string {
  const format = new Intl.NumberFormat('en-US', { style: 'currency', currency, currencyDisplay: 'code' });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(amountMinor / 10 ** digits).replace(/\s/g, ' ');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads an event's fields, throwing a MalformedEventError that names the first bad one. */
class EventReader {
  private readonly data: Record<string, unknown>;

  constructor(
    private readonly event: ConsumedEvent,
    data: unknown = event.data,
    private readonly path = 'data',
  ) {
    this.data = isRecord(data) ? data : {};
  }

  private fail(problem: string): never {
    throw new MalformedEventError(this.event, problem);
  }

  checkEnvelope(): void {
    if (typeof this.event.id !== 'string' || !isUuid(this.event.id)) this.fail('id is not a uuid');
    if (typeof this.event.occurredAt !== 'string' || Number.isNaN(Date.parse(this.event.occurredAt)))
      this.fail('occurredAt is not a time');
    if (!isRecord(this.event.data)) this.fail('data is not an object');
  }

  has(field: string): boolean {
    return this.data[field] !== undefined && this.data[field] !== null;
  }

  nested(field: string): EventReader | null {
    const value = this.data[field];
    if (value === undefined || value === null) return null;
    if (!isRecord(value)) this.fail(`${this.path}.${field} is not an object`);
    return new EventReader(this.event, value, `${this.path}.${field}`);
  }

  uuid(field: string): string {
    const value = this.data[field];
    if (value === undefined || value === null) this.fail(`${this.path}.${field} is missing`);
    if (typeof value !== 'string' || !isUuid(value)) this.fail(`${this.path}.${field} is not a uuid`);
    return value.toLowerCase();
  }

  /** An organization named in the data, which must also be one the event may be seen by. */
  organization(field: string): string {
    const id = this.uuid(field);
    if (!this.organizationIds().includes(id))
      this.fail(`organizationIds does not include ${this.path}.${field}`);
    return id;
  }

  soleOrganization(): string {
    const ids = this.organizationIds();
    if (ids.length !== 1) this.fail('organizationIds must name exactly one organization');
    return ids[0]!;
  }

  firstOrganization(): string {
    const [first] = this.organizationIds();
    if (!first) this.fail('organizationIds is empty');
    return first;
  }

  private organizationIds(): string[] {
    const ids: unknown = this.event.organizationIds;
    if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string' && isUuid(id)))
      this.fail('organizationIds is not a list of uuids');
    return [...new Set((ids as string[]).map((id) => id.toLowerCase()))];
  }

  text(field: string, max: number): string {
    const value = this.data[field];
    if (value === undefined || value === null) this.fail(`${this.path}.${field} is missing`);
    if (typeof value !== 'string' || !value.trim()) this.fail(`${this.path}.${field} is not text`);
    if (value.trim().length > max) this.fail(`${this.path}.${field} is longer than ${max} characters`);
    return value.trim();
  }

  /** Whitespace collapsed, cut to `max` characters with an ellipsis; null when absent or blank. */
  optionalText(field: string, max: number): string | null {
    const value = this.data[field];
    if (value === undefined || value === null) return null;
    if (typeof value !== 'string') this.fail(`${this.path}.${field} is not text`);
    const text = value.replace(/\s+/g, ' ').trim();
    if (!text) return null;
    return text.length > max ? `${text.slice(0, max - 1)}…` : text;
  }

  integer(field: string): number {
    const value = this.optionalInteger(field);
    if (value === null) this.fail(`${this.path}.${field} is missing`);
    return value;
  }

  optionalInteger(field: string): number | null {
    const value = this.data[field];
    if (value === undefined || value === null) return null;
    if (typeof value !== 'number' || !Number.isSafeInteger(value))
      this.fail(`${this.path}.${field} is not an integer`);
    return value;
  }

  /** Money from an amount in minor units and an ISO 4217 code, formatted; null when absent. */
  money(amountField: string, currencyField: string): string | null {
    const amountMinor = this.optionalInteger(amountField);
    const currency = this.optionalText(currencyField, 10);
    if (amountMinor === null || currency === null) return null;
    if (!/^[A-Z]{3}$/.test(currency)) this.fail(`${this.path}.${currencyField} is not an ISO 4217 code`);
    return formatMoney(amountMinor, currency);
  }
}
