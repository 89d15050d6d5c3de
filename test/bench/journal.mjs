// The journal input's speed (issue 23): the seed log's lines as a 200k-entry journal (written by
// systemd-journal-remote, with the ~20 fields journald records for a service's stdout), read whole
// by the JournalSource (journalctl + the export parser), beside the same lines read from a file by
// src/tail/reader.ts, and the two halves of the journal path apart: journalctl alone (to
// /dev/null) and the parser alone (over journalctl's output saved to a file). Whole processes
// under /usr/bin/time (CPU includes the journalctl a Node process started), several rounds in a
// rotated order, medians. Needs `npm run build` (it runs build/dist).
//   node test/bench/journal.mjs [entries=200000] [rounds=5]
import { execFileSync, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generate } from './gen.mjs';

const root = resolve(new URL('../..', import.meta.url).pathname);
const dist = join(root, 'build/dist');
const role = process.argv[2]?.startsWith('--role=') ? process.argv[2].slice(7) : null;


/** One measured program, in its own process. */
async function child(what, arg) {
  let lines = 0;
  if (what === 'source') {
    const { JournalSource } = await import(join(dist, 'input/journal/source.js'));
    const { Registry } = await import(join(dist, 'selfstats/registry.js'));
    const { silentLogger } = await import(join(dist, 'core/log.js'));
    const src = new JournalSource({
      group: 'bench', spec: { matches: ['_SYSTEMD_UNIT=rest-api.service'], directory: arg, fields: [] }, start: { from: 'start' },
      follow: false, maxLineBytes: 1 << 20, sink: (b) => { lines += b.lines.length; }, log: silentLogger, registry: new Registry(),
    });
    src.start();
    await src.done;
  } else if (what === 'parse') {
    const { ExportParser } = await import(join(dist, 'input/journal/export.js'));
    const p = new ExportParser('journal', [], 1 << 20);
    for await (const chunk of createReadStream(arg, { highWaterMark: 64 * 1024 })) {
      p.push(chunk);
      const b = p.take();
      if (b) lines += b.lines.length;
    }
  } else if (what === 'file') {
    const { FileReader } = await import(join(dist, 'tail/reader.js'));
    const { reader } = FileReader.open(arg, { maxLineBytes: 1 << 20 }, { from: 'start' });
    for (let r = reader.readChunk(); r.n > 0; r = reader.readChunk()) if (r.batch) lines += r.batch.lines.length;
    const last = reader.flushPartial();
    if (last) lines += last.lines.length;
  } else if (what !== 'start') throw new Error(`unknown role ${what}`);
  const own = process.cpuUsage(); // this Node process alone (journalctl's CPU is in the total /usr/bin/time gives)
  process.stdout.write(`${lines} ${((own.user + own.system) / 1e6).toFixed(3)}\n`);
}

function timed(cmd, args, stdout = 'pipe') {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', stdout, 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const [wall, user, sys, rssKB] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  return { wall, cpu: user + sys, rssMB: Math.round(rssKB / 1024), out: typeof r.stdout === 'string' ? r.stdout.trim() : '' };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The seed log's lines as journal entries of a service writing to stdout. */
async function buildJournal(seedLog, dir, entries) {
  const lines = readFileSync(seedLog, 'utf8').split('\n').slice(0, entries);
  const fixed = ['_TRANSPORT=stdout', 'PRIORITY=6', 'SYSLOG_FACILITY=3', 'SYSLOG_IDENTIFIER=rest-api', '_PID=4242', '_UID=998',
    '_GID=998', '_COMM=node', '_EXE=/usr/bin/node', '_CMDLINE=node /srv/rest/api.js', '_CAP_EFFECTIVE=0',
    '_SYSTEMD_CGROUP=/system.slice/rest-api.service', '_SYSTEMD_UNIT=rest-api.service', '_SYSTEMD_SLICE=system.slice',
    '_SYSTEMD_INVOCATION_ID=5b8c0ee5a2d94c2f9d5f0c8a1e3b7d61', '_STREAM_ID=8f1d3c2b4a5e6f708192a3b4c5d6e7f8',
    '_MACHINE_ID=0f1e2d3c4b5a69788796a5b4c3d2e1f0', '_HOSTNAME=api1', '_BOOT_ID=0123456789abcdef0123456789abcdef'].join('\n');
  const t0 = Date.UTC(2026, 1, 8, 4) * 1000;
  const parts = lines.map((l, i) => `__REALTIME_TIMESTAMP=${t0 + i * 3597}\n__MONOTONIC_TIMESTAMP=${1 + i * 3597}\n${fixed}\nMESSAGE=${l}\n\n`);
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('/lib/systemd/systemd-journal-remote', [`--output=${join(dir, 'remote.journal')}`, '-'], { input: parts.join(''), maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`systemd-journal-remote: ${r.stderr}`);
}

async function main(entries, rounds) {
  const cache = join(tmpdir(), 'logmetrics-bench');
  mkdirSync(cache, { recursive: true });
  const seedLog = join(cache, `seed-${entries}.log`);
  if (!existsSync(seedLog)) await generate(seedLog, entries);
  const dir = join(cache, `journal-${entries}`);
  if (!existsSync(dir)) {
    process.stderr.write(`writing ${entries} entries into ${dir} ...\n`);
    await buildJournal(seedLog, dir, entries);
  }
  const exportFile = join(cache, `journal-${entries}.export`);
  const jargs = ['--directory=' + dir, '--output=export', '--all', '--no-pager', '--output-fields=MESSAGE', '--', '_SYSTEMD_UNIT=rest-api.service'];
  execFileSync('bash', ['-c', `journalctl ${jargs.map((a) => `'${a}'`).join(' ')} > '${exportFile}'`]);
  execFileSync('bash', ['-c', `cat '${seedLog}' '${dir}'/* > /dev/null`]); // page cache
  const self = new URL(import.meta.url).pathname;
  const programs = {
    'journal source (journalctl + parser)': () => timed(process.execPath, [self, '--role=source', dir]),
    'journalctl alone, to /dev/null': () => timed('journalctl', jargs, openSync('/dev/null', 'w')),
    'export parser alone (saved output)': () => timed(process.execPath, [self, '--role=parse', exportFile]),
    'file reader (src/tail/reader.ts), same lines': () => timed(process.execPath, [self, '--role=file', seedLog]),
    'node start-up and imports only': () => timed(process.execPath, [self, '--role=start']),
  };
  const names = Object.keys(programs);
  const runs = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < names.length; k++) {
      const n = names[(k + r) % names.length];
      const res = programs[n]();
      const [count, own] = res.out.split(' ').map(Number);
      res.own = own;
      if (n !== 'journalctl alone, to /dev/null' && n !== 'node start-up and imports only' && count !== entries) {
        throw new Error(`${n}: read ${res.out} lines, not ${entries}`);
      }
      runs[n].push(res);
    }
  }
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`${entries} entries (${(statSync(exportFile).size / 1e6).toFixed(1)} MB of export output, ` +
    `${(statSync(seedLog).size / 1e6).toFixed(1)} MB as a log file), ${rounds} rounds, medians; load average at the end ${load}`);
  console.log('| program | wall s | entries/s (by wall) | CPU s | of which the Node process | peak RSS MB |');
  console.log('|---|---|---|---|---|---|');
  for (const n of names) {
    const w = median(runs[n].map((x) => x.wall));
    const c = median(runs[n].map((x) => x.cpu));
    const rate = n.startsWith('node start') ? '-' : Math.round(entries / w).toLocaleString('en-US');
    const own = runs[n][0].own === undefined || Number.isNaN(runs[n][0].own) ? '-' : median(runs[n].map((x) => x.own)).toFixed(2);
    console.log(`| ${n} | ${w.toFixed(2)} | ${rate} | ${c.toFixed(2)} | ${own} | ${median(runs[n].map((x) => x.rssMB))} |`);
  }
}

if (role !== null) await child(role, process.argv[3]);
else await main(Number(process.argv[2] ?? 200_000), Number(process.argv[3] ?? 5));
