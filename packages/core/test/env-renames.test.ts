import { InvalidEnvironmentError, parseEnvironment, z } from '../src/env';

const min = z.string().min(32, { error: 'must be at least 32 characters' });
const secret = 'x'.repeat(32);

describe('renamed variables', () => {
  test('INTERNAL_SIGNING_SECRET and its former name ROUTER_SIGNING_SECRET are read alike', () => {
    const shapes: Record<string, z.ZodString>[] = [
      { INTERNAL_SIGNING_SECRET: min },
      { ROUTER_SIGNING_SECRET: min },
    ];
    for (const shape of shapes) {
      const key = Object.keys(shape)[0]!;
      expect(parseEnvironment('test', shape, { INTERNAL_SIGNING_SECRET: secret })).toEqual({ [key]: secret });
      expect(parseEnvironment('test', shape, { ROUTER_SIGNING_SECRET: secret })).toEqual({ [key]: secret });
      expect(
        parseEnvironment('test', shape, { INTERNAL_SIGNING_SECRET: secret, ROUTER_SIGNING_SECRET: secret }),
      ).toEqual({ [key]: secret });
    }
  });

  test('both set to different values is refused, naming both', () => {
    const parse = () =>
      parseEnvironment(
        'test',
        { INTERNAL_SIGNING_SECRET: min },
        { INTERNAL_SIGNING_SECRET: secret, ROUTER_SIGNING_SECRET: 'y'.repeat(32) },
      );
    expect(parse).toThrow(InvalidEnvironmentError);
    expect(parse).toThrow(
      /INTERNAL_SIGNING_SECRET and ROUTER_SIGNING_SECRET are both set, to different values/,
    );
  });

  test('a problem names the variable the operator set, or both when neither is', () => {
    const shape = { INTERNAL_SIGNING_SECRET: min };
    expect(() => parseEnvironment('test', shape, { INTERNAL_SIGNING_SECRET: 'short' })).toThrow(
      /- INTERNAL_SIGNING_SECRET: must be at least 32/,
    );
    expect(() => parseEnvironment('test', shape, { ROUTER_SIGNING_SECRET: 'short' })).toThrow(
      /- ROUTER_SIGNING_SECRET: must be at least 32/,
    );
    expect(() => parseEnvironment('test', shape, {})).toThrow(
      /- INTERNAL_SIGNING_SECRET or ROUTER_SIGNING_SECRET: /,
    );
  });
});
