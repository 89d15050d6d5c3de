// The daemon following a journal directory through the real CLI (--dry-run, --state-file): entries
// are appended by systemd-journal-remote while it runs; it is killed with SIGKILL twice (each time
// after it wrote a checkpoint) and restarted on the state file. The last point of every series in the
// concatenated outputs equals the last point of one uninterrupted --once run over the finished
// journal: no entry lost, none counted twice, metric state restored with the cursor. Also: a journal
// directory that disappears is counted and warned, and entries written once it is back are read.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { unitEntries, writeJournal } from '../helpers/journal.js';
import { Daemon, lastPoints, prng, promCounter, report, rmrf, sleep, tempDir, until, type Last } from './helpers/tail.js';

const T0 = 1_767_225_600_000_000; // 2026-01-01T00:00:00Z in µs
const BATCH = 60;

let dir = '';
let daemon: Daemon | undefined;
afterEach(() => {
  daemon?.dispose();
  daemon = undefined;
  if (dir) rmrf(dir);
  dir = '';
});

function config(file: string, journal: string): string {
  fs.writeFileSync(file, `
settings: { push_type: tsd, state_file: "", status_listen: "127.0.0.1:0", stats_interval: 3600 }
web:
  journal: { matches: ["_SYSTEMD_UNIT=nginx.service"], directory: "${journal}", fields: [_HOSTNAME, PRIORITY] }
  parse_from_start: true
  date: { source: journal }
  re: [ '^GET\\s(\\S+)\\s(\\d+)\\sms$' ]
  expected_matches: 2
  key_prefix: web
  tags: { host: 3, prio: 4, path: 1 }
  metrics:
    counter: [ { key_suffix: hits, reference: [ [0, ""] ] } ]
    histogram: [ { key_suffix: ms, reference: [ [2, ""] ] } ]
    meter: [ { key_suffix: req, reference: [ [0, ""] ] } ]
`);
  return file;
}

/** Batch k of nginx entries (and a few of another unit, which the group's match leaves out). */
function batch(k: number) {
  const start = T0 + k * BATCH * 1_000_000;
  return [
    ...unitEntries('nginx.service', BATCH, (i) => `GET /p${(k * BATCH + i) % 7} ${(k * 31 + i) % 113} ms`, start,
      (i) => ({ PRIORITY: (k + i) % 9 === 0 ? '3' : '6', _HOSTNAME: i % 3 ? 'a' : 'b' })),
    ...unitEntries('other.service', 3, (i) => `GET /x ${i} ms`, start + 100_000),
  ];
}

/** journal_line_read of this process so far. */
async function linesRead(d: Daemon): Promise<number> {
  const m = promCounter(await d.get('/metrics'), 'logmetrics_collector_tail_line_read_total', 'filename');
  return [...m.values()].reduce((a, b) => a + b, 0);
}

/** Waits until the daemon has read nothing new for `quietMs`. */
async function quiet(d: Daemon, quietMs: number): Promise<number> {
  let last = -1;
  let since = Date.now();
  for (;;) {
    const n = await linesRead(d);
    if (n !== last) { last = n; since = Date.now(); } else if (Date.now() - since >= quietMs) return n;
    await sleep(200);
  }
}

const userSeries = (m: Map<string, Last>) => new Map([...m].filter(([k]) => !k.startsWith('logmetrics_collector.')));

describe('journal, daemon mode', () => {
  it('entries appended while it follows; kill -9 twice and restart on the state file: the final values equal one uninterrupted run', async () => {
    const seed = Number(process.env.JOURNAL_RESTART_SEED ?? Date.now() % 100_000);
    const rand = prng(seed);
    dir = tempDir('journal-live');
    const journal = path.join(dir, 'journal');
    const state = path.join(dir, 'state', 'state.bin');
    const conf = config(path.join(dir, 'j.conf'), journal);
    writeJournal(journal, batch(0));
    let batches = 1;
    let feeding = true;
    const feeder = (async () => {
      while (batches < 120) {
        writeJournal(journal, batch(batches++));
        await sleep(60 + rand(80));
      }
      feeding = false;
    })();

    const args = ['-c', conf, '--dry-run', '--state-file', state];
    const outputs: string[] = [];
    const kills: string[] = [];
    for (let run = 0; run < 2; run++) {
      const spawnedAt = Date.now();
      const d = daemon = new Daemon([...args, '-j', String(run + 1)]);
      await d.started();
      const reading = await until(() => d.findLog('reading the journal'), 20_000, () => d.stderr());
      if (run > 0) {
        expect(d.findLog('State restored'), d.stderr()).toBeTruthy();
        expect(reading.after_cursor).not.toBe('(the start)');
      } else {
        expect(reading.after_cursor).toBe('(the start)');
      }
      await until(() => { try { return fs.statSync(state).mtimeMs >= spawnedAt; } catch { return false; } }, 20_000, `a checkpoint (run ${run}, seed ${seed})`);
      await sleep(rand(1500));
      kills.push(`run ${run}: ${batches} batches written, ${await linesRead(d)} lines read`);
      await d.kill9();
      outputs.push(d.stdout());
    }
    const d = daemon = new Daemon([...args, '-j', '1']);
    await d.started();
    expect(d.findLog('State restored'), d.stderr()).toBeTruthy();
    await feeder;
    expect(kills.length).toBe(2);
    const lastRead = await quiet(d, 2000);
    const exit = await d.stop();
    expect(exit.code, d.stderr().slice(-3000)).toBe(0);
    outputs.push(d.stdout());
    expect(feeding).toBe(false);

    const once = await runCli(['-c', conf, '--once', '--dry-run'], { timeoutMs: 120_000 });
    expect(once.code, once.stderr.slice(-2000)).toBe(0);
    expect(once.stderr).toContain(`"lines_read":${120 * BATCH}`);
    const want = userSeries(lastPoints(once.stdout));
    const got = new Map<string, Last>();
    for (const o of outputs) lastPoints(o, got);
    const have = userSeries(got);
    const differ = [...want].filter(([k, v]) => have.get(k)?.raw !== v.raw).map(([k, v]) => `${k}: want ${v.raw}, got ${have.get(k)?.raw}`);
    const extra = [...have.keys()].filter((k) => !want.has(k));
    expect({ differ: differ.slice(0, 10), nDiffer: differ.length, extra }, `seed ${seed} (JOURNAL_RESTART_SEED), ${kills.join('; ')}`)
      .toEqual({ differ: [], nDiffer: 0, extra: [] });
    const hits = [...want].filter(([k]) => k.startsWith('web.hits.count')).reduce((a, [, v]) => a + v.value, 0);
    expect(hits).toBe(120 * BATCH);
    report('journal-restart', { seed, series: want.size, entries: 120 * BATCH, kills: kills.join('; '), last_run_read: lastRead });
  }, 180_000);

  it('backpressure: while its stdout is not read, the daemon stops reading the journal; once read again, every entry counts', async () => {
    dir = tempDir('journal-bp');
    const journal = path.join(dir, 'journal');
    const conf = config(path.join(dir, 'j.conf'), journal);
    fs.writeFileSync(conf, fs.readFileSync(conf, 'utf8').replace('parse_from_start: true', 'parse_from_start: true\n  interval: 1'));
    const total = 100 * BATCH;
    writeJournal(journal, Array.from({ length: 100 }, (_, k) => batch(k)).flat());
    const d = daemon = new Daemon(['-c', conf, '--dry-run'], { blockStdout: true });
    await d.started();
    // reading stops: the count settles below the total while stdout is blocked
    const held = await quiet(d, 1500);
    expect(held).toBeLessThan(total);
    d.resumeStdout();
    let n = 0;
    await until(async () => (n = await linesRead(d)) === total, 60_000, () => `all ${total} entries (read ${n})`);
    expect((await d.stop()).code).toBe(0);
    const hits = [...lastPoints(d.stdout())].filter(([k]) => k.startsWith('web.hits.count')).reduce((a, [, v]) => a + v.value, 0);
    expect(hits).toBe(total);
    report('journal-backpressure', { entries: total, read_while_blocked: held });
  }, 120_000);

  it('SIGHUP with a changed journal block reads the new selection after the cursor, not from the start', async () => {
    dir = tempDir('journal-reload');
    const journal = path.join(dir, 'journal');
    const conf = config(path.join(dir, 'j.conf'), journal);
    writeJournal(journal, unitEntries('other.service', 3, (i) => `GET /early ${i} ms`, T0 - 10_000_000)); // before the cursor
    writeJournal(journal, batch(0));
    const d = daemon = new Daemon(['-c', conf, '--dry-run']);
    await d.started();
    await until(async () => (await linesRead(d)) === BATCH, 20_000, 'the first batch');
    fs.writeFileSync(conf, fs.readFileSync(conf, 'utf8').replace('_SYSTEMD_UNIT=nginx.service', '_SYSTEMD_UNIT=other.service'));
    d.signal('SIGHUP');
    await until(() => d.findLog('Config reloaded'), 20_000, () => d.stderr().slice(-2000));
    writeJournal(journal, batch(1));
    // the other.service entries after the cursor in journal order (batch 0's, written after its nginx
    // entries, and batch 1's), not the three written before it
    let n = 0;
    await until(async () => (n = await linesRead(d)) === BATCH + 6, 20_000, () => `lines read ${n}: ${d.stderr().slice(-2000)}`);
    await sleep(500);
    expect(await linesRead(d)).toBe(BATCH + 6);
    expect((await d.stop()).code).toBe(0);
  }, 90_000);

  it('a journal directory that disappears is counted and warned; entries written once it is back are read', async () => {
    dir = tempDir('journal-gone');
    const journal = path.join(dir, 'journal');
    const conf = config(path.join(dir, 'j.conf'), journal);
    writeJournal(journal, batch(0));
    const d = daemon = new Daemon(['-c', conf, '--dry-run']);
    await d.started();
    await until(async () => (await linesRead(d)) === BATCH, 20_000, 'the first batch');
    fs.rmSync(journal, { recursive: true });
    await until(() => d.findLog(/journal directory disappeared/), 20_000, () => d.stderr().slice(-2000));
    writeJournal(journal, batch(1));
    await until(async () => (await linesRead(d)) === 2 * BATCH, 20_000, () => `the batch written after the directory came back: ${d.stderr().slice(-2000)}`);
    const missing = promCounter(await d.get('/metrics'), 'logmetrics_collector_journal_directory_missing_total', 'filename');
    expect(missing.get(`journal_${journal}`)).toBeGreaterThanOrEqual(1); // ':' is not in OpenTSDB's tag character set
    const exit = await d.stop();
    expect(exit.code).toBe(0);
    const pts = lastPoints(d.stdout());
    const hits = [...pts].filter(([k]) => k.startsWith('web.hits.count')).reduce((a, [, v]) => a + v.value, 0);
    expect(hits).toBe(2 * BATCH);
  }, 90_000);
});
