import { booleanSchema, InvalidEnvironmentError, parseEnvironment, portSchema, z } from '../src/env';

const shape = {
  PORT: portSchema(8001),
  DATABASE_URL: z.string().url(),
  VERBOSE: booleanSchema(false),
};

describe('environment parsing', () => {
  it('applies defaults and coerces values', () => {
    expect(parseEnvironment('t', shape, { DATABASE_URL: 'postgres://x@h/db', VERBOSE: 'yes' })).toEqual({
      PORT: 8001,
      DATABASE_URL: 'postgres://x@h/db',
      VERBOSE: true,
    });
  });

  it('names every invalid variable in one error', () => {
    try {
      parseEnvironment('users', shape, { PORT: 'eighty', VERBOSE: 'maybe' });
      throw new Error('expected a failure');
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidEnvironmentError);
      const message = (error as Error).message;
      expect(message).toMatch(/^users: invalid configuration/);
      expect(message).toContain('PORT');
      expect(message).toContain('DATABASE_URL');
      expect(message).toContain('VERBOSE');
    }
  });

  it('treats an empty variable as unset', () => {
    expect(parseEnvironment('t', shape, { PORT: '', DATABASE_URL: 'postgres://x@h/db' }).PORT).toBe(8001);
  });
});
