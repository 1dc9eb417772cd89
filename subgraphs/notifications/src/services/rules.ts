// Which domain events make which notifications, for whom, with what text. Pure: no database, so
// every rule is tested on its own. Texts are for people: order numbers, amounts, counts; no ids.
import { handledTypes, handleEvent, type DomainEventOf, type UncheckedEvent } from '@flow/contracts';
import type { ConsumerHandlers } from '@flow/messaging';
import type { NotificationType } from '../generated/prisma/client';

/**
 * A domain event as it arrives (the platform's DomainEvent fits), before its data is checked
 * against its type's schema (@flow/contracts).
 */
export type ConsumedEvent = UncheckedEvent;

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

/**
 * The notifications `event` makes; null for a type this subgraph does not handle (acknowledge it,
 * make nothing). Throws MalformedEventError when a handled event fails its schema or names an
 * audience it may not be seen by.
 */
export function planNotifications(event: ConsumedEvent): PlannedNotification[] | null {
  const outcome = handleEvent(RULES, event);
  if (outcome.kind === 'unhandled') return null;
  if (outcome.kind === 'malformed') throw new MalformedEventError(event, outcome.error);
  return outcome.result;
}

/** One rule per event type the catalog says notifications consumes (a missing one fails to compile). */
const RULES: ConsumerHandlers<'notifications', PlannedNotification[]> = {
  'order.placed': (event) => {
    const order = orderFacts(event);
    const kind = order.priorityWord ?? 'new';
    const worth = order.total ? ` of ${order.total}` : '';
    return [
      toOrganization(audience(event, event.data.vendorOrganizationId, 'vendorOrganizationId'), order, {
        type: 'ORDER_PLACED',
        title: order.urgency ? `New ${order.urgency} order ${order.number}` : `New order ${order.number}`,
        body: `${capitalize(article(kind))} ${kind} order${worth} is waiting for your confirmation.`,
      }),
    ];
  },
  'order.confirmed': (event) => {
    const order = orderFacts(event);
    return [
      toOrganization(hospitalOf(event), order, {
        type: 'ORDER_CONFIRMED',
        title: `Order ${order.number} was confirmed`,
        body: 'The vendor accepted your order and will dispatch it from the depot.',
      }),
    ];
  },
  'order.rejected': (event) => {
    const order = orderFacts(event);
    return [
      toOrganization(hospitalOf(event), order, {
        type: 'ORDER_REJECTED',
        title: `Order ${order.number} was rejected`,
        body: `The vendor turned down your order.${order.reason ? ` Reason: ${order.reason}` : ''}`,
      }),
    ];
  },
  'order.dispatched': (event) => {
    const order = orderFacts(event);
    const delivery = order.urgency ? `${capitalize(order.urgency)} delivery` : 'Delivery';
    return [
      toOrganization(hospitalOf(event), order, {
        type: 'ORDER_DISPATCHED',
        title: `Order ${order.number} is on its way`,
        body: 'A driver has left the depot with your order. Follow the delivery live on the order.',
      }),
      toUser(event.data.driverId.toLowerCase(), order, {
        type: 'DELIVERY_ASSIGNED',
        title: `${delivery} ${order.number} assigned to you`,
        body: `Pick up order ${order.number} at the depot and deliver it to the hospital site.`,
      }),
    ];
  },
  'order.delivered': (event) => {
    const order = orderFacts(event);
    return [
      toOrganization(hospitalOf(event), order, {
        type: 'ORDER_DELIVERED',
        title: `Order ${order.number} was delivered`,
        body: 'Your order was delivered and signed for at the site.',
      }),
    ];
  },
  'order.cancelled': (event) => {
    const order = orderFacts(event);
    return [
      toOrganization(audience(event, event.data.vendorOrganizationId, 'vendorOrganizationId'), order, {
        type: 'ORDER_CANCELLED',
        title: `Order ${order.number} was cancelled`,
        body:
          'The hospital cancelled the order; its stock is no longer held.' +
          (order.reason ? ` Reason: ${order.reason}` : ''),
      }),
    ];
  },
  'stock.low': (event) => {
    const { vendorOrganizationId, available, reorderLevel, onHand } = event.data;
    // Events written before inventory named the vendor have it as their one organization.
    const vendor = vendorOrganizationId
      ? audience(event, vendorOrganizationId, 'vendorOrganizationId')
      : soleOrganization(event);
    return [
      {
        type: 'STOCK_LOW',
        title: `Stock low: ${available} left (reorder level ${reorderLevel})`,
        body:
          'Available stock of a product at one of your depots fell below its reorder level' +
          ` (${onHand} on hand). Restock it to keep taking orders.`,
        organizationId: vendor,
        userId: null,
        orderId: null,
        depotId: event.data.depotId.toLowerCase(),
        productId: event.data.productId.toLowerCase(),
      },
    ];
  },
  'payment.failed': (event) => {
    const { data } = event;
    const amount = formatMoney(data.amountMinor, data.currency);
    const card = tidy(data.method, 20) === 'CARD';
    return [
      {
        type: 'PAYMENT_FAILED',
        title: `${card ? 'Card payment' : 'Payment'} of ${amount} failed`,
        body: paymentFailureText(tidy(data.failureReason, 100)),
        organizationId: audience(event, data.payerOrganizationId, 'payerOrganizationId'),
        userId: null,
        orderId: data.orderId.toLowerCase(),
        depotId: null,
        productId: null,
      },
    ];
  },
  'organization.approved': (event) => {
    const organization = organizationFacts(event);
    // Approving a SUSPENDED organization reinstates it (users writes the status it had before).
    const reinstated = tidy(event.data.previousStatus, 40) === 'SUSPENDED';
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
  'organization.suspended': (event) => {
    const organization = organizationFacts(event);
    const reason = tidy(event.data.reason, MAX_REASON_LENGTH);
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

/** The event types that make notifications (the catalog's `consumes` for notifications). */
export const HANDLED_EVENT_TYPES: readonly string[] = handledTypes(RULES);

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

type OrderEvent = DomainEventOf<
  | 'order.placed'
  | 'order.confirmed'
  | 'order.rejected'
  | 'order.dispatched'
  | 'order.delivered'
  | 'order.cancelled'
>;

function orderFacts(event: OrderEvent): OrderFacts {
  const { data } = event;
  const priority = tidy(data.priority, 20);
  const priorityWord = priority !== null && PRIORITIES.includes(priority) ? priority.toLowerCase() : null;
  return {
    orderId: data.orderId.toLowerCase(),
    number: data.number.trim(),
    priorityWord,
    urgency: priorityWord === 'routine' ? null : priorityWord,
    total: data.total ? formatMoney(data.total.amountMinor, data.total.currency) : null,
    reason: 'reason' in data ? tidy(data.reason, MAX_REASON_LENGTH) : null,
  };
}

const hospitalOf = (event: OrderEvent) =>
  audience(event, event.data.hospitalOrganizationId, 'hospitalOrganizationId');

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

function organizationFacts(
  event: DomainEventOf<'organization.approved' | 'organization.suspended'>,
): OrganizationFacts {
  const { data } = event;
  return {
    id: audience(event, data.organizationId, 'organizationId'),
    name: tidy(data.name, MAX_ORGANIZATION_NAME_LENGTH) ?? 'Your organization',
    kind: tidy(data.kind, 20),
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

/** Whitespace collapsed, cut to `max` characters with an ellipsis; null when absent or blank. */
function tidy(value: string | null | undefined, max: number): string | null {
  const text = value?.replace(/\s+/g, ' ').trim();
  if (!text) return null;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The organizations that may see the event, each once. */
function organizationsOf(event: { organizationIds: string[] }): string[] {
  return [...new Set(event.organizationIds.map((id) => id.toLowerCase()))];
}

/**
 * An organization the data names as the audience, which must also be one the event may be seen
 * by: a notification never goes to an organization the producer did not address.
 */
function audience(event: { id: string; type: string; organizationIds: string[] }, id: string, field: string) {
  const ids = organizationsOf(event);
  if (ids.length === 0) throw new MalformedEventError(event, 'organizationIds is empty');
  if (!ids.includes(id.toLowerCase()))
    throw new MalformedEventError(event, `organizationIds does not include data.${field}`);
  return id.toLowerCase();
}

function soleOrganization(event: { id: string; type: string; organizationIds: string[] }): string {
  const ids = organizationsOf(event);
  if (ids.length !== 1)
    throw new MalformedEventError(event, 'organizationIds must name exactly one organization');
  return ids[0]!;
}
