// npm postinstall of logmetrics-collector: npm drops the optional re2 engine without a word when its
// build fails (no compiler, or no Node.js headers: node-gyp downloads them from nodejs.org). Says so
// in one line, with the one command that builds it into this installed package. npm hides the output
// of install scripts, so the line goes to the terminal (/dev/tty) when there is one, else stderr.
// Never fails the install: regex_engine js works without re2.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = dirname(dirname(fileURLToPath(import.meta.url)));

function re2Loads() {
  try {
    createRequire(join(pkgDir, 'package.json'))('re2');
    return true;
  } catch {
    return false;
  }
}

/** The Node.js headers next to this node (e.g. /usr/include/node), if they are its version's. */
function localNodedir() {
  const prefix = dirname(dirname(process.execPath));
  try {
    const h = readFileSync(join(prefix, 'include/node/node_version.h'), 'utf8');
    const v = ['MAJOR', 'MINOR', 'PATCH'].map((k) => new RegExp(`#define NODE_${k}_VERSION (\\d+)`).exec(h)?.[1]).join('.');
    return v === process.versions.node ? prefix : null;
  } catch {
    return null;
  }
}

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

function fixCommand() {
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  const nodedir = localNodedir();
  const install = `npm install --prefix ${pkgDir} --no-save${nodedir ? ` --nodedir=${nodedir}` : ''} re2@${pkg.optionalDependencies.re2}`;
  const tools = [['make', 'make'], ['c++', 'g++'], ['python3', 'python3']].filter(([cmd]) => !has(cmd)).map(([, deb]) => deb);
  if (!tools.length) return install;
  return has('apt-get') ? `apt-get install -y ${tools.join(' ')} && ${install}` : `${install} (after installing ${tools.join(', ')})`;
}

function say(line) {
  try {
    const tty = openSync('/dev/tty', 'w');
    writeSync(tty, `\r\x1b[2K${line}`); // from column 1 of a cleared line: npm's spinner may be on it
    closeSync(tty);
  } catch {
    process.stderr.write(line);
  }
}

if (!re2Loads()) {
  say(`logmetrics-collector: the optional re2 engine did not build (regex_engine: re2 will not start; js works); to build it: ${fixCommand()}\n`);
}
