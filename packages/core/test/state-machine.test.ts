import { defineStateMachine } from '../src/state-machine';

type Light = 'RED' | 'GREEN' | 'AMBER' | 'OFF';

const light = defineStateMachine<Light>({
  RED: ['GREEN', 'OFF'],
  GREEN: ['AMBER', 'OFF'],
  AMBER: ['RED', 'OFF'],
  OFF: [],
});

describe('defineStateMachine', () => {
  test('can and next read the transitions as written', () => {
    expect(light.can('RED', 'GREEN')).toBe(true);
    expect(light.can('RED', 'AMBER')).toBe(false);
    expect(light.can('OFF', 'RED')).toBe(false);
    expect(light.next('GREEN')).toEqual(['AMBER', 'OFF']);
    expect(light.next('OFF')).toEqual([]);
  });

  test('sources lists every state that may move to one, in declaration order', () => {
    expect(light.sources('OFF')).toEqual(['RED', 'GREEN', 'AMBER']);
    expect(light.sources('RED')).toEqual(['AMBER']);
  });

  test('assert refuses with CONFLICT naming where it is and where it was asked to go', () => {
    expect(() => light.assert('RED', 'GREEN')).not.toThrow();
    expect(() => light.assert('OFF', 'RED')).toThrow(
      expect.objectContaining({
        message: 'Cannot move from OFF to RED.',
        extensions: { code: 'CONFLICT', status: 'OFF', attempted: 'RED' },
      }),
    );
  });

  test("a machine's own refusal replaces the default", () => {
    const strict = defineStateMachine<Light>(light.transitions, {
      refuse: (from, to, machine) =>
        new Error(`${from} -> ${to}; from ${from} only ${machine.next(from).join(' or ')}`),
    });
    expect(() => strict.assert('RED', 'AMBER')).toThrow('RED -> AMBER; from RED only GREEN or OFF');
    expect(strict.refusal('AMBER', 'GREEN').message).toBe('AMBER -> GREEN; from AMBER only RED or OFF');
  });
});
