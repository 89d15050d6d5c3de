// Second step of `npm run build` (after tsc): bundles the program into build/dist/bundle/ and makes
// build/dist/cli.js load it. Start-up is mostly module loading (about 140 files of ours and of
// pino, yaml and commander, each resolved, read and compiled by Node's ESM loader); a few chunks
// load in a fraction of that. The modules tsc wrote stay where they are (tests and tools import
// them). Kept apart: re2 (a native addon) and hdr-histogram-js (loaded on first use, by
// createRequire). The parse worker is an entry of its own, so that `new URL('./worker.js',
// import.meta.url)` in any chunk finds it beside them. Chunks loaded by dynamic import (the
// commands, --check) stay chunks: cli.js still sets V8's regex flag before main loads.
import { rmSync, writeFileSync } from 'node:fs';
import { rolldown } from 'rolldown';

const dist = new URL('./dist/', import.meta.url);
const out = new URL('./bundle/', dist);
rmSync(out, { recursive: true, force: true });
const bundle = await rolldown({
  input: { cli: new URL('cli.js', dist).pathname, worker: new URL('process/parallel/worker.js', dist).pathname },
  platform: 'node',
  external: ['re2', 'hdr-histogram-js'],
  logLevel: 'warn',
});
await bundle.write({ dir: out.pathname, format: 'esm', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' });
await bundle.close();
writeFileSync(new URL('cli.js', dist), '#!/usr/bin/env node\n// The program is bundled (build/bundle.mjs); src/cli.ts is its entry.\nimport \'./bundle/cli.js\';\n', { mode: 0o755 });
