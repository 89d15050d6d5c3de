// npm's `prepare` (run by `npm ci`, `npm pack`, and by `npx` the first time it runs this project's
// own command from a new checkout, which links the project into its cache): builds build/dist
// unless it is newer than every source. An explicit `npm run build` (and `npm test`'s pretest)
// always builds. Without this, the first `npx --no-install logmetrics-collector` in a checkout
// rebuilt build/dist under whatever else was running it: the build empties build/dist first.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The newest modification time of the files below `dir`. */
function newest(dir) {
  let m = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    m = Math.max(m, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return m;
}

// cli.js is the build's last write (build/bundle.mjs rewrites it after tsc).
const built = join(root, 'build/dist/cli.js');
const sources = Math.max(newest(join(root, 'src')),
  ...['tsconfig.json', 'package.json', 'package-lock.json', 'build/bundle.mjs'].map((f) => statSync(join(root, f)).mtimeMs));
if (existsSync(built) && statSync(built).mtimeMs >= sources) process.exit(0);
const r = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
