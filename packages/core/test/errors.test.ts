import { GraphQLError } from 'graphql';
import { errors, maskError } from '../src/errors';

const formatted = (error: GraphQLError) => error.toJSON();

describe('error factories and masking', () => {
  it('always sets a stable code, and names the field for bad input', () => {
    const error = errors.badUserInput('input.email', 'input.email is not a valid email address.');
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.email' });
    expect(errors.notFound('Organization', 'x').extensions.code).toBe('NOT_FOUND');
    expect(errors.accountLocked(new Date(Date.now() + 30_000)).extensions).toMatchObject({
      code: 'ACCOUNT_LOCKED',
    });
  });

  it('passes our own errors through in production, without stack traces', () => {
    const error = formatted(errors.forbidden());
    const masked = maskError(
      { ...error, extensions: { ...error.extensions, stacktrace: ['at x'] } },
      { exposeDetails: false },
    );
    expect(masked).toEqual({ message: 'You are not allowed to do this.', extensions: { code: 'FORBIDDEN' } });
  });

  it('hides unexpected errors (SQL, bugs) in production', () => {
    const leak = new GraphQLError('duplicate key value violates unique constraint "users_email_key"', {
      extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at pg'] },
    });
    const masked = maskError(formatted(leak), { exposeDetails: false });
    expect(masked.message).toBe('Internal server error.');
    expect(JSON.stringify(masked)).not.toContain('users_email_key');
    const uncoded = maskError({ message: 'relation "users" does not exist' }, { exposeDetails: false });
    expect(uncoded).toEqual({
      message: 'Internal server error.',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });

  it('shows details in development', () => {
    expect(maskError({ message: 'boom' }, { exposeDetails: true }).message).toBe('boom');
  });
});
