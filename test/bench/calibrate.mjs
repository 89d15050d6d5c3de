// Host calibration for `npm run bench`: "the minimal Node script" of ../shared/reference/peer-figures.md
// (split + JS RegExp + Map sum per call name). Reads the log in 64 KB chunks, splits it into lines,
// runs the seed 16-group regex (the mtail program's in run.mjs, anchored with ^) on every line and
// sums the call time (group 6) per call name (group 5). Timing it against the reference machine's
// figure tells host slowness from program slowness.
// With --split-only it only splits the lines (the peer figures' "Node, split lines only (64 KB
// chunks)"), which shows how far these two reconstructions of the peer figures' Node scripts are
// from the originals: see run.mjs on which yardstick the bench trusts.
// Usage: node test/bench/calibrate.mjs [--split-only] <log>
//   prints "<lines> lines, <matched> matched, <calls> calls"
import { closeSync, openSync, readSync } from 'node:fs';

const RE = /^([A-z]{3}\s+\d+\s+\d+:\d+:\d+)\s+(([a-z])+\d+\.\S+)\s+rest_([a-z]+)\.api:.*\[c:(\S+)\].*\(([0-9]+)\)\s+\[bnt:([0-9]+)\/([0-9]+)\]\s+\[sql:([0-9]+)\/([0-9]+)\]\s+\[membase:([0-9]+)\/([0-9]+)\]\s+\[memcache:([0-9]+)\/([0-9]+)\]\s+\[other:([0-9]+)\/([0-9]+)\].*/;

const splitOnly = process.argv[2] === '--split-only';
const path = process.argv[splitOnly ? 3 : 2];
if (!path) {
  console.error('usage: node test/bench/calibrate.mjs [--split-only] <log>');
  process.exit(2);
}
const fd = openSync(path, 'r');
const buf = Buffer.alloc(1 << 16);
const sums = new Map();
let rest = '';
let lines = 0;
let matched = 0;
const line = splitOnly ? () => { lines++; } : (l) => {
  lines++;
  const m = RE.exec(l);
  if (m) {
    matched++;
    sums.set(m[5], (sums.get(m[5]) ?? 0) + Number(m[6]));
  }
};
for (;;) {
  const n = readSync(fd, buf, 0, buf.length, null);
  if (n === 0) break;
  const parts = (rest + buf.toString('latin1', 0, n)).split('\n');
  rest = parts.pop();
  for (const l of parts) line(l);
}
if (rest) line(rest);
closeSync(fd);
console.log(`${lines} lines, ${matched} matched, ${sums.size} calls`);
