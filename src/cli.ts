#!/usr/bin/env node
// Entry point. Signals are caught first, before anything else loads (spec section 10: a SIGHUP
// during start-up is queued, not fatal). V8's linear-time fallback for regexes that backtrack
// excessively must be switched on before any regex is compiled, so the rest is imported after that.
import v8 from 'node:v8';

const { Signals } = await import('./cmd/signals.js');
const signals = Signals.install();
v8.setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
const { main } = await import('./cmd/main.js');
process.exitCode = await main(process.argv, signals);
