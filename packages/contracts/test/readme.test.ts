import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_PRODUCERS } from '../src';

test("the README's catalog lists every event type under its producer, and nothing else", () => {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  const listed: Record<string, string> = {};
  for (const [, producer, types] of readme.matchAll(/^\| (\w+) +\| (`.*`) +\|$/gm))
    for (const [, type] of types!.matchAll(/`([^`]+)`/g)) listed[type!] = producer!;
  expect(listed).toEqual(EVENT_PRODUCERS);
});
