#!/usr/bin/env node
// Entry point. On a Node.js older than the code supports (an `npm install` on an old host) it must
// say so in one line and exit 2, not crash at import (exit 1, which a systemd unit restarts in a
// loop). So the check comes before any import, and this file has no top-level await: it parses on
// Node.js 12 and later (the modules it loads do not).
// Then signals are caught first, before anything else loads (spec section 10: a SIGHUP during
// start-up is queued, not fatal); the check before them is a few synchronous statements. V8's
// linear-time fallback for regexes that backtrack excessively must be switched on before any regex
// is compiled, so the rest is imported after that.
const NODE_MAJOR_NEEDED = 20; // package.json "engines" (a test keeps them equal)

const major = Number(process.versions.node.split('.')[0]);
if (major < NODE_MAJOR_NEEDED) {
  process.stderr.write(`logmetrics-collector: needs Node.js ${NODE_MAJOR_NEEDED} or later, ` +
    `this is Node.js ${process.versions.node} (${process.execPath})\n`);
  process.exitCode = 2;
} else {
  void import('./cmd/signals.js').then(async ({ Signals }) => {
    const signals = Signals.install();
    const { default: v8 } = await import('node:v8');
    v8.setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
    const { main } = await import('./cmd/main.js');
    process.exitCode = await main(process.argv, signals);
  });
}
