import {
  describeExit,
  hasExited,
  killGroup,
  startProcess,
  stopProcess,
  waitForPortFree,
  waitUntilReady,
  type ManagedProcess,
} from './processes';

export interface RestartPolicy {
  /** This many crashes within `windowMs` and the supervisor gives up. */
  limit: number;
  windowMs: number;
  /** The first restart waits this long; each further one twice as long, up to `maxBackoffMs`. */
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** A process up this long is stable again: the next crash waits `initialBackoffMs`. */
  stableMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  limit: 5,
  windowMs: 10 * 60_000,
  initialBackoffMs: 1000,
  maxBackoffMs: 30_000,
  stableMs: 60_000,
};

export interface ServiceSpec {
  name: string;
  entry: string;
  env: NodeJS.ProcessEnv;
  port: number;
  readyUrl: string;
  /** Its output is dropped instead of printed with its name (tests). */
  quiet?: boolean;
  /** Flags for node itself, before the entry point. */
  nodeArgs?: readonly string[];
}

export interface SupervisorHooks {
  /** A new process of a service started (the watchdog learns its pid). */
  started(process: ManagedProcess): void;
  exited(process: ManagedProcess): void;
  /** Repeated crashes: `message` is the one line to print before stopping everything. */
  giveUp(message: string): void;
  log(line: string): void;
}

/**
 * One service under supervision: started, restarted with backoff after a crash (once the crashed
 * process is gone and its port free) while the others keep serving, given up on after
 * `policy.limit` crashes within `policy.windowMs`.
 */
export class SupervisedService {
  private current: ManagedProcess | undefined;
  private stopping = false;
  private crashes: number[] = [];
  private backoffMs: number;
  private stableTimer: NodeJS.Timeout | undefined;
  private wakeUp: (() => void) | undefined;
  /** Until the first start succeeds a death is a failed start, which fails `npm start`. */
  private started = false;

  constructor(
    private readonly spec: ServiceSpec,
    private readonly policy: RestartPolicy,
    private readonly hooks: SupervisorHooks,
  ) {
    this.backoffMs = policy.initialBackoffMs;
  }

  get name() {
    return this.spec.name;
  }

  get process() {
    return this.current;
  }

  /** The first start: a failure here fails `npm start` as a whole. */
  async start(): Promise<void> {
    await this.launch();
    this.started = true;
  }

  async stop(graceMs?: number): Promise<void> {
    this.stopping = true;
    clearTimeout(this.stableTimer);
    this.wakeUp?.();
    if (this.current) await stopProcess(this.current, graceMs);
  }

  private async launch(): Promise<void> {
    const { name, entry, env, quiet, nodeArgs } = this.spec;
    const child = startProcess(name, entry, env, quiet, nodeArgs);
    this.current = child;
    this.hooks.started(child);
    void child.exited.then(() => this.onExit(child));
    await waitUntilReady(child, this.spec.readyUrl);
    clearTimeout(this.stableTimer);
    this.stableTimer = setTimeout(
      () => (this.backoffMs = this.policy.initialBackoffMs),
      this.policy.stableMs,
    );
    this.stableTimer.unref();
  }

  private onExit(child: ManagedProcess) {
    this.hooks.exited(child);
    // Anything it started goes with it: the restart must find the port free.
    killGroup(child, 'SIGKILL');
    if (this.stopping || !this.started || child !== this.current) return;
    clearTimeout(this.stableTimer);
    const now = Date.now();
    this.crashes = [...this.crashes.filter((at) => now - at < this.policy.windowMs), now];
    const minutes = Math.round(this.policy.windowMs / 60_000);
    if (this.crashes.length >= this.policy.limit) {
      this.hooks.giveUp(
        `${this.name} crashed ${this.crashes.length} times within ${minutes} min (last: ${describeExit(child)}); giving up and stopping everything.`,
      );
      return;
    }
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.policy.maxBackoffMs);
    this.hooks.log(
      `${this.name} exited unexpectedly (${describeExit(child)}); restarting it in ${delay / 1000} s (crash ${this.crashes.length} of ${this.policy.limit} allowed within ${minutes} min). The other processes keep serving.`,
    );
    void this.restartAfter(delay);
  }

  private async restartAfter(delayMs: number) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delayMs);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wakeUp = undefined;
    if (this.stopping) return;
    if (!(await waitForPortFree(this.spec.port, 60_000))) {
      this.hooks.giveUp(
        `${this.name} cannot be restarted: port ${this.spec.port} is still in use a minute after it exited; stopping everything.`,
      );
      return;
    }
    if (this.stopping) return;
    try {
      await this.launch();
      this.hooks.log(`${this.name} is back.`);
    } catch (error) {
      // A process that died before it was ready was counted by onExit; one that hangs is ended here.
      const child = this.current;
      if (child && !hasExited(child) && !this.stopping) {
        this.hooks.log(`${this.name}: ${error instanceof Error ? error.message : String(error)}`);
        killGroup(child, 'SIGKILL');
      }
    }
  }
}
