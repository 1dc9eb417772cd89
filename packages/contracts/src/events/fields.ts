// Field schemas whose errors read as a sentence about the field ("data.orderId is missing"), so
// that a dead-lettered event says what is wrong with it. Enumerations (statuses, kinds, methods)
// are plain text: a value added by a producer must not make older consumers reject the event.
import { z } from 'zod';

const missingOr = (problem: string) => (issue: { input?: unknown }) =>
  issue.input === undefined || issue.input === null ? 'is missing' : problem;

export const uuid = () => z.guid({ error: missingOr('is not a uuid') });

/** Non-blank text of at most `max` characters. */
export const text = (max = 10_000) =>
  z
    .string({ error: missingOr('is not text') })
    .refine((value) => value.trim().length > 0, { error: 'is not text' })
    .refine((value) => value.trim().length <= max, { error: `is longer than ${max} characters` });

/** Any text, blank allowed (a reason, a name, an enumeration value). */
export const anyText = () => z.string({ error: missingOr('is not text') });

export const integer = () => z.int({ error: missingOr('is not an integer') });

export const number = () => z.number({ error: missingOr('is not a number') });

export const timestamp = () => z.iso.datetime({ offset: true, error: missingOr('is not a time') });

export const currency = () =>
  z.string({ error: missingOr('is not text') }).regex(/^[A-Z]{3}$/, { error: 'is not an ISO 4217 code' });

/** An amount in integer minor units (cents) and its ISO 4217 currency. */
export const money = () =>
  z.object({ amountMinor: integer(), currency: currency() }, { error: missingOr('is not an object') });

export const object = <Shape extends z.ZodRawShape>(shape: Shape) =>
  z.object(shape, { error: missingOr('is not an object') });
