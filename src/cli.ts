#!/usr/bin/env node
// Entry point. On a Node.js older than the code supports (an `npm install` on an old host) it must
// say so in one line and exit 2, not crash at import (exit 1, which a systemd unit restarts in a
// loop). So nothing is imported before the check, and this file has no top-level await: it parses
// on Node.js 12 and later.
// V8's linear-time fallback for regexes that backtrack excessively must be switched on before any
// regex is compiled, so everything else is imported after setting it.
const NODE_MAJOR_NEEDED = 20; // package.json "engines" (a test keeps them equal)

const major = Number(process.versions.node.split('.')[0]);
if (major < NODE_MAJOR_NEEDED) {
  process.stderr.write(`logmetrics-collector: needs Node.js ${NODE_MAJOR_NEEDED} or later, ` +
    `this is Node.js ${process.versions.node} (${process.execPath})\n`);
  process.exitCode = 2;
} else {
  void import('node:v8').then(async ({ default: v8 }) => {
    v8.setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
    const { main } = await import('./cmd/main.js');
    process.exitCode = await main(process.argv);
  });
}
