#!/usr/bin/env node
// Entry point. V8's linear-time fallback for regexes that backtrack excessively must be switched on
// before any regex is compiled, so everything else is imported after setting it.
import v8 from 'node:v8';

v8.setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
const { main } = await import('./cmd/main.js');
process.exitCode = await main(process.argv);
