// Fault injection for a subgraph's collaborators (its clients of other subgraphs, a provider):
// a stand-in runs each call through `call`, and the test says which calls fail, fail after
// doing their work (the reply is lost), or hang until released.

type AnyFunction = (...args: never[]) => unknown;
type Steps<Api> = { [K in keyof Api]: Api[K] extends AnyFunction ? K : never }[keyof Api] & string;
type DropFirst<T> = T extends [unknown, ...infer Rest] ? Rest : never;
/** A step's arguments after the call context. */
export type StepArguments<Api, S extends keyof Api> = Api[S] extends (...args: infer A) => unknown
  ? DropFirst<A>
  : never;

export interface RecordedCall<Step extends string = string> {
  step: Step;
  args: unknown[];
}

export interface FaultOptions<Api, S extends keyof Api> {
  /** How many calls fail (default: every call until heal). */
  times?: number;
  /** The call does its work and then fails (the reply is lost). */
  afterEffect?: boolean;
  /** Only calls whose arguments (after the context) match. */
  when?: (...args: StepArguments<Api, S>) => boolean;
}

interface Fault {
  code: string;
  afterEffect: boolean;
  remaining: number;
  when: (...args: never[]) => boolean;
}

interface Gate {
  reached: () => void;
  opened: Promise<void>;
}

/**
 * Records every call of a stand-in for `Api` and fails or hangs the ones a test scripts. `failure`
 * makes the error a step fails with (the error type the real client throws, with `code`).
 */
export class ScriptedCalls<Api> {
  readonly calls: RecordedCall<Steps<Api>>[] = [];
  private readonly faults = new Map<Steps<Api>, Fault[]>();
  private readonly gates = new Map<Steps<Api>, Gate>();
  private readonly openers: (() => void)[] = [];

  constructor(private readonly failure: (step: string, code: string) => Error) {}

  fail<S extends Steps<Api>>(step: S, code: string, options: FaultOptions<Api, S> = {}): void {
    const fault: Fault = {
      code,
      afterEffect: options.afterEffect ?? false,
      remaining: options.times ?? Infinity,
      when: (options.when as Fault['when'] | undefined) ?? (() => true),
    };
    this.faults.set(step, [...(this.faults.get(step) ?? []), fault]);
  }

  /**
   * The next call of `step` waits until `release()`; `reached` resolves when it arrives. Later
   * calls of the step pass (a retry after a hung call should not hang too).
   */
  hang(step: Steps<Api>): { reached: Promise<void>; release: () => void } {
    let reached!: () => void;
    const arrived = new Promise<void>((resolve) => (reached = resolve));
    let release!: () => void;
    const opened = new Promise<void>((resolve) => (release = resolve));
    this.gates.set(step, { reached, opened });
    this.openers.push(release);
    return { reached: arrived, release };
  }

  /** Every fault cleared and every hung call let through (stop calls it: a hung call blocks a close). */
  heal(): void {
    this.faults.clear();
    this.gates.clear();
    for (const open of this.openers.splice(0)) open();
  }

  callsOf<S extends Steps<Api>>(step: S): StepArguments<Api, S>[] {
    return this.calls.filter((c) => c.step === step).map((c) => c.args as StepArguments<Api, S>);
  }

  /** Calls that mention `text` anywhere in their arguments (e.g. an order or payment id). */
  callsAbout(text: string): RecordedCall<Steps<Api>>[] {
    return this.calls.filter((c) => JSON.stringify(c.args).includes(text));
  }

  /** One call of `step`: recorded, held at its gate, failed as scripted, else `work`'s answer. */
  async call<T>(step: Steps<Api>, args: unknown[], work: () => T): Promise<T> {
    this.calls.push({ step, args });
    const gate = this.gates.get(step);
    if (gate) {
      this.gates.delete(step);
      gate.reached();
      await gate.opened;
    }
    const fault = (this.faults.get(step) ?? []).find((f) => f.remaining > 0 && f.when(...(args as never[])));
    if (fault) fault.remaining -= 1;
    if (fault && !fault.afterEffect) throw this.failure(step, fault.code);
    const result = work();
    if (fault) throw this.failure(step, fault.code);
    return result;
  }
}
