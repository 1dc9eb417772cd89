import { errors } from './errors';

/**
 * A status lifecycle written as data: each state lists the states it may move to, every state
 * listed (a final state lists none), so that adding a status to the database enum fails the
 * typecheck until its moves are decided.
 */
export type Transitions<S extends string> = { readonly [From in S]: readonly S[] };

export interface StateMachine<S extends string> {
  readonly transitions: Transitions<S>;
  can(from: S, to: S): boolean;
  /** Throws the machine's refusal (CONFLICT unless it says otherwise) when `from` cannot move to `to`. */
  assert(from: S, to: S): void;
  /** The error `assert` throws, for callers that already know the move is refused. */
  refusal(from: S, to: S): Error;
  /** Where `from` may move. */
  next(from: S): readonly S[];
  /** The states that may move to `to`: the compare-and-set condition of an update to it. */
  sources(to: S): readonly S[];
}

export interface StateMachineOptions<S extends string> {
  /** The error for a refused move; default CONFLICT with `status` (where it is) and `attempted`. */
  refuse?: (from: S, to: S, machine: StateMachine<S>) => Error;
}

export function defineStateMachine<S extends string>(
  transitions: Transitions<S>,
  options: StateMachineOptions<S> = {},
): StateMachine<S> {
  const states = Object.keys(transitions) as S[];
  const refuse =
    options.refuse ??
    ((from: S, to: S) =>
      errors.conflict(`Cannot move from ${from} to ${to}.`, { status: from, attempted: to }));
  const machine: StateMachine<S> = {
    transitions,
    can: (from, to) => transitions[from].includes(to),
    assert: (from, to) => {
      if (!machine.can(from, to)) throw machine.refusal(from, to);
    },
    refusal: (from, to) => refuse(from, to, machine),
    next: (from) => transitions[from],
    sources: (to) => states.filter((from) => transitions[from].includes(to)),
  };
  return machine;
}
