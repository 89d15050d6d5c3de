// Regexes that could run away. V8's irregexp backtracks; cli.ts switches on its linear-time fallback
// for regexes that backtrack excessively, but V8 can only fall back for a regex its linear engine can
// run: no lookarounds, no backreferences, no bounded repetition too large to unroll. For any other
// regex one line can keep the thread busy for minutes (`^(\d+)\s(?=a)(a+)+$` on 41 characters).
//
// linearTime() asks V8 itself: a regex compiles with the `l` flag (which needs
// --enable-experimental-regexp-engine, set here before the first question) exactly when its linear
// engine can run it, which is exactly when the fallback can take over. The engine keeps the regexes
// that cannot out of its thread (process/parallel/workers.ts, a watchdog); boundedCall() is the
// guard for the odd call made on the main thread (filename_match on a new path, --test-parser).
import v8 from 'node:v8';
import vm from 'node:vm';

let flagSet = false;

/** Whether V8's linear-time engine can run `source` (so a runaway match falls back to it). */
export function linearTime(source: string): boolean {
  if (!flagSet) {
    v8.setFlagsFromString('--enable-experimental-regexp-engine');
    flagSet = true;
  }
  try {
    new RegExp(source, 'l');
    return true;
  } catch {
    return false;
  }
}

/** The regexes of a list that V8's linear engine cannot run (for config checks and warnings). */
export function runawayRegexes(sources: readonly string[]): string[] {
  return sources.filter((s) => !linearTime(s));
}

// One context for every bounded call: the function runs in this thread, and vm's timeout (a watchdog
// thread that terminates the execution, regexes included) cuts it off. It costs ~0.1-0.6 ms a call (a
// thread is started each time), so it guards single calls, never the per-line path.
const context = vm.createContext({ call: null as (() => unknown) | null });
const script = new vm.Script('call()');

/** The outcome of a call that ran out of time. */
export const TIMED_OUT: unique symbol = Symbol('timed out');

/**
 * Runs fn, cutting it off after `ms` milliseconds. fn must leave nothing half-updated that outlives
 * it (the caller throws away what a cut-off call was computing).
 */
export function boundedCall<T>(fn: () => T, ms: number): T | typeof TIMED_OUT {
  context.call = fn;
  try {
    return script.runInContext(context, { timeout: ms }) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return TIMED_OUT;
    throw e;
  } finally {
    context.call = null;
  }
}
