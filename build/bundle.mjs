// Second step of `npm run build` (after tsc): bundles the program into build/dist/bundle/ and points
// build/dist/cli.js at it. Start-up is mostly module loading (about 140 files of ours and of pino,
// yaml and commander, each resolved, read and compiled by Node's ESM loader one by one); a few
// chunks load in a fraction of that (issue 21). The modules tsc wrote stay where they are (tests
// and tools import them). Kept apart: re2 (a native addon) and hdr-histogram-js (loaded on first
// use, by createRequire).
// The entries are what cli.js imports (signals, then main) and the parse worker, so that
// `new URL('./worker.js', import.meta.url)` in any chunk finds it beside them. cli.js itself is
// not bundled: it checks the Node.js version before importing anything (it parses on Node.js 12),
// so only the two paths it imports are changed, to the bundle's entries.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { rolldown } from 'rolldown';

const dist = new URL('./dist/', import.meta.url);
const out = new URL('./bundle/', dist);
const entries = { signals: './cmd/signals.js', main: './cmd/main.js' };
rmSync(out, { recursive: true, force: true });
const bundle = await rolldown({
  input: {
    ...Object.fromEntries(Object.entries(entries).map(([name, path]) => [name, new URL(path, dist).pathname])),
    worker: new URL('process/parallel/worker.js', dist).pathname,
  },
  platform: 'node',
  external: ['re2', 'hdr-histogram-js'],
  logLevel: 'warn',
});
await bundle.write({ dir: out.pathname, format: 'esm', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' });
await bundle.close();

const cliFile = new URL('cli.js', dist);
let cli = readFileSync(cliFile, 'utf8');
for (const [name, path] of Object.entries(entries)) {
  const from = `import('${path}')`;
  if (!cli.includes(from)) throw new Error(`build/bundle.mjs: build/dist/cli.js no longer has ${from}; update the entries`);
  cli = cli.replace(from, `import('./bundle/${name}.js')`);
}
writeFileSync(cliFile, cli);
