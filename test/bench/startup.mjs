// Start-up cost (issue 21): the collector's whole process with `--once --dry-run` on an empty file
// (config loaded, regex compiled, file opened, nothing to read), beside bare `node -e 0`, in
// alternating runs. What counts is the median over the rounds of the difference between the two,
// so that this host's drift cancels out of it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seedConfig } from './gen.mjs';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** `node`: the Node.js binary both run under (the bench's first BENCH_NODES build). */
export function startup({ cli, dir, timed, node = 'node', rounds = 11 }) {
  const log = join(dir, 'startup-empty.log');
  writeFileSync(log, '');
  const conf = join(dir, 'startup.conf');
  writeFileSync(conf, seedConfig([log]));
  const runs = { node: [], collector: [] };
  const run = {
    node: () => timed(node, ['-e', '0'], { stdio: ['ignore', 'ignore', 'pipe'] }),
    collector: () => timed(node, [cli, '-c', conf, '--once', '--dry-run'], { stdio: ['ignore', 'ignore', 'pipe'] }),
  };
  for (let i = 0; i < rounds; i++) {
    for (const k of i % 2 ? ['collector', 'node'] : ['node', 'collector']) runs[k].push(run[k]());
  }
  const row = (name, rs) => ({ name, wall: median(rs.map((r) => r.wall)), linesPerSec: NaN, cpu: median(rs.map((r) => r.cpu)),
    rssMB: Math.max(...rs.map((r) => r.rssMB)) });
  const over = (k) => median(runs.collector.map((r, i) => r[k] - runs.node[i][k]));
  return {
    collector: row('start-up: collector --once --dry-run on an empty file', runs.collector),
    node: row('start-up: bare node -e 0', runs.node),
    overWall: over('wall'),
    overCpu: over('cpu'),
    rounds,
  };
}
