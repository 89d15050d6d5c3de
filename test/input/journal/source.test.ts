// The journal source over real journal files written by systemd-journal-remote (no journald needed).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOOT_B, unitEntries, writeJournal } from '../../helpers/journal.js';
import { entryCursors, readAll, sleep, startSource, tempDir, waitFor } from './helpers.js';

const T0 = 1_767_225_600_000_000; // 2026-01-01T00:00:00Z in µs
const msg = (unit: string) => (i: number) => `${unit} request ${i} took ${i % 97} ms`;

let root: string;
let dir: string;
beforeAll(() => {
  root = tempDir('journal-src-');
  dir = path.join(root, 'three-units');
  // three units interleaved in time, written as three appends to one journal file
  writeJournal(dir, unitEntries('nginx.service', 1200, msg('nginx'), T0, (i) => ({ PRIORITY: i % 10 === 0 ? '3' : '6' })));
  writeJournal(dir, unitEntries('sshd.service', 300, msg('sshd'), T0 + 500_000));
  writeJournal(dir, unitEntries('cron.service', 45, msg('cron'), T0 + 250_000));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const BIG = 10_000; // ~3.5 MB of export output: far more than a pipe and Node's buffer hold
function bigJournal(): string {
  const d = path.join(root, 'big');
  if (!fs.existsSync(d)) writeJournal(d, unitEntries('a.service', BIG, (i) => `entry ${i} ${'p'.repeat(100)}`, T0));
  return d;
}

describe('JournalSource reading journal.directory', () => {
  it('counts per unit are exact, in journal order, with matches ORed within a field and ANDed across', async () => {
    const nginx = await readAll({ directory: dir, start: { from: 'start' }, follow: false, matches: ['_SYSTEMD_UNIT=nginx.service'] });
    expect(nginx.lines()).toEqual(Array.from({ length: 1200 }, (_, i) => msg('nginx')(i)));
    expect(nginx.counter('tail.line_read')).toBe(1200);
    const two = await readAll({ directory: dir, start: { from: 'start' }, follow: false, matches: ['_SYSTEMD_UNIT=sshd.service', '_SYSTEMD_UNIT=cron.service'] });
    expect(two.lines().length).toBe(345);
    expect(two.lines().filter((l) => l.startsWith('cron')).length).toBe(45);
    const errors = await readAll({ directory: dir, start: { from: 'start' }, follow: false, matches: ['_SYSTEMD_UNIT=nginx.service', 'PRIORITY=3'] });
    expect(errors.lines().length).toBe(120);
    const or = await readAll({ directory: dir, start: { from: 'start' }, follow: false, matches: ['_SYSTEMD_UNIT=nginx.service', 'PRIORITY=3', '+', '_SYSTEMD_UNIT=cron.service'] });
    expect(or.lines().length).toBe(165);
    const all = await readAll({ directory: dir, start: { from: 'start' }, follow: false });
    expect(all.lines().length).toBe(1545);
    expect(all.lines()).toEqual(entryCursors(dir).map((e) => e.message)); // journal order
  });

  it('hands out the entry time and the asked fields with each line', async () => {
    const r = await readAll({ directory: dir, start: { from: 'start' }, follow: false, matches: ['_SYSTEMD_UNIT=nginx.service'],
      fields: ['_HOSTNAME', 'PRIORITY', '_SYSTEMD_UNIT', 'NOT_THERE'] });
    const times = r.batches.flatMap((b) => b.timesUs);
    const fields = r.batches.flatMap((b) => b.fields);
    expect(times).toEqual(Array.from({ length: 1200 }, (_, i) => T0 + i * 1_000_000));
    expect(fields[0]).toEqual(['host1', '3', 'nginx.service', undefined]);
    expect(fields[1]).toEqual(['host1', '6', 'nginx.service', undefined]);
    expect(fields.length).toBe(1200);
  });

  it('reading after any cursor gives exactly the rest, for batch cursors and for every entry, matching or not', async () => {
    const matches = ['_SYSTEMD_UNIT=sshd.service'];
    const all = await readAll({ directory: dir, start: { from: 'start' }, follow: false, matches });
    const lines = all.lines();
    let seen = 0;
    for (const b of all.batches) {
      seen += b.entries;
      const rest = await readAll({ directory: dir, start: { from: 'cursor', cursor: b.cursor, otherwise: 'start' }, follow: false, matches });
      expect(rest.lines()).toEqual(lines.slice(seen));
    }
    // entries of every unit as cursors: the sshd lines after each
    const every = entryCursors(dir);
    for (const k of [0, 1, 17, 600, 1000, every.length - 1]) {
      const rest = await readAll({ directory: dir, start: { from: 'cursor', cursor: every[k]!.cursor, otherwise: 'start' }, follow: false, matches });
      const expected = every.slice(k + 1).map((e) => e.message).filter((m) => m.startsWith('sshd'));
      expect(rest.lines()).toEqual(expected);
      expect(rest.source.cursor).toBe(rest.batches.length ? rest.batches.at(-1)!.cursor : every[k]!.cursor);
    }
  });

  it('the last N entries (--test-parser)', async () => {
    const r = await readAll({ directory: dir, start: { from: 'last', entries: 5 }, follow: false, matches: ['_SYSTEMD_UNIT=nginx.service'] });
    expect(r.lines()).toEqual([1195, 1196, 1197, 1198, 1199].map(msg('nginx')));
  });

  it('a binary MESSAGE is read with U+FFFD, counted and warned; an over-long one is skipped, counted and warned; nothing else is lost', async () => {
    const d = path.join(root, 'bad');
    const entries = unitEntries('app.service', 6, (i) => `line ${i}`, T0);
    entries[1]!.fields.MESSAGE = Buffer.from([0x6f, 0x6b, 0x20, 0xff, 0xfe, 0x00, 0x21]);
    entries[3]!.fields.MESSAGE = 'x'.repeat(5000);
    writeJournal(d, entries);
    const r = await readAll({ directory: d, start: { from: 'start' }, follow: false, maxLineBytes: 4096 });
    expect(r.lines()).toEqual(['line 0', 'ok \ufffd\ufffd\0!', 'line 2', 'line 4', 'line 5']);
    expect(r.batches.reduce((a, b) => a + b.skippedLong, 0)).toBe(1);
    expect(r.counter('journal.binary_message')).toBe(1);
    expect(r.log.warnings()).toEqual(expect.arrayContaining([
      expect.stringMatching(/binary MESSAGE/), expect.stringMatching(/longer than max_line_bytes/)]));
    expect(r.source.cursor).toBe(entryCursors(d).at(-1)!.cursor);
  });

  it('a cursor journalctl does not accept is warned and counted, and reading starts over as asked', async () => {
    const r = await readAll({ directory: dir, start: { from: 'cursor', cursor: 'not-a-cursor', otherwise: 'start' }, follow: false, matches: ['_SYSTEMD_UNIT=cron.service'] });
    expect(r.lines().length).toBe(45);
    expect(r.counter('journal.bad_cursor')).toBe(1);
    const e = await readAll({ directory: dir, start: { from: 'cursor', cursor: 'not-a-cursor', otherwise: 'end' }, follow: false, matches: ['_SYSTEMD_UNIT=cron.service'] });
    expect(e.lines()).toEqual([]);
    expect(e.source.cursor).toBe(entryCursors(dir, ['_SYSTEMD_UNIT=cron.service']).at(-1)!.cursor);
  });

  it('a journal directory that does not exist is warned and counted; a read ends with nothing', async () => {
    const r = await readAll({ directory: path.join(root, 'nowhere'), start: { from: 'start' }, follow: false });
    expect(r.lines()).toEqual([]);
    expect(r.counter('journal.directory_missing')).toBe(1);
    expect(r.log.warnings()).toEqual([expect.stringMatching(/journal directory does not exist/)]);
  });
});

describe('JournalSource following journal.directory', () => {
  it('reads entries appended while it follows, from the start, after a cursor, or from the end', async () => {
    const d = path.join(root, 'follow');
    writeJournal(d, unitEntries('a.service', 15, (i) => `old ${i}`, T0));
    const fromStart = startSource({ directory: d, start: { from: 'start' }, follow: true });
    const fromEnd = startSource({ directory: d, start: { from: 'end' }, follow: true });
    const cursor5 = entryCursors(d)[4]!.cursor;
    const fromCursor = startSource({ directory: d, start: { from: 'cursor', cursor: cursor5, otherwise: 'start' }, follow: true });
    await waitFor(() => fromStart.lines().length === 15 && fromCursor.lines().length === 10, 'the old entries');
    await waitFor(() => fromEnd.source.cursor !== null, 'the end cursor');
    expect(fromEnd.source.cursor).toBe(entryCursors(d).at(-1)!.cursor);
    // more entries: appended to the same file, then a second file with later times
    writeJournal(d, unitEntries('a.service', 20, (i) => `new ${i}`, T0 + 100_000_000));
    writeJournal(d, unitEntries('a.service', 7, (i) => `other file ${i}`, T0 + 200_000_000), 'second.journal');
    const fresh = [...Array.from({ length: 20 }, (_, i) => `new ${i}`), ...Array.from({ length: 7 }, (_, i) => `other file ${i}`)];
    await waitFor(() => fromStart.lines().length === 42 && fromEnd.lines().length === 27 && fromCursor.lines().length === 37, 'the appended entries');
    for (const r of [fromStart, fromEnd, fromCursor]) await r.source.stop();
    expect(fromStart.lines()).toEqual([...Array.from({ length: 15 }, (_, i) => `old ${i}`), ...fresh]);
    expect(fromEnd.lines()).toEqual(fresh);
    expect(fromCursor.lines()).toEqual([...Array.from({ length: 10 }, (_, i) => `old ${i + 5}`), ...fresh]);
  });

  it('follows across boots (a directory of another machine\'s journal that reboots)', async () => {
    const d = path.join(root, 'boots');
    writeJournal(d, unitEntries('a.service', 3, (i) => `boot A ${i}`, T0));
    const r = startSource({ directory: d, start: { from: 'start' }, follow: true });
    await waitFor(() => r.lines().length === 3, 'boot A');
    writeJournal(d, unitEntries('a.service', 4, (i) => `boot B ${i}`, T0 + 60_000_000).map((e) => ({ ...e, boot: BOOT_B })));
    await waitFor(() => r.lines().length === 7, 'boot B');
    await r.source.stop();
    expect(r.lines().slice(3)).toEqual([0, 1, 2, 3].map((i) => `boot B ${i}`));
  });

  it('a directory that disappears is warned and counted; once back, reading goes on after the last cursor', async () => {
    const d = path.join(root, 'vanish');
    writeJournal(d, unitEntries('a.service', 10, (i) => `before ${i}`, T0));
    const r = startSource({ directory: d, start: { from: 'start' }, follow: true });
    await waitFor(() => r.lines().length === 10, 'the first entries');
    fs.renameSync(d, d + '.away');
    await waitFor(() => r.counter('journal.directory_missing') === 1, 'the loss to be seen');
    writeJournal(d + '.away', unitEntries('a.service', 5, (i) => `while away ${i}`, T0 + 100_000_000));
    fs.renameSync(d + '.away', d);
    writeJournal(d, unitEntries('a.service', 5, (i) => `after ${i}`, T0 + 200_000_000));
    await waitFor(() => r.lines().length === 20, 'the rest');
    await r.source.stop();
    expect(r.lines()).toEqual([
      ...Array.from({ length: 10 }, (_, i) => `before ${i}`),
      ...Array.from({ length: 5 }, (_, i) => `while away ${i}`),
      ...Array.from({ length: 5 }, (_, i) => `after ${i}`),
    ]);
    expect(r.counter('journal.directory_missing')).toBe(1);
    expect(r.log.warnings()).toEqual(expect.arrayContaining([expect.stringMatching(/journal directory disappeared/)]));
  });

  it('backpressure: while the sink holds a batch nothing more is handed out, and nothing is lost', async () => {
    const d = bigJournal();
    const n = BIG;
    let holding = false;
    let overlapped = false;
    let held = 0;
    const lines: string[] = [];
    const r = startSource({
      directory: d, start: { from: 'start' }, follow: true,
      sink: (b) => {
        if (holding) overlapped = true;
        lines.push(...b.lines);
        if (held >= 3) return;
        held++;
        holding = true;
        return new Promise<void>((res) => setTimeout(() => { holding = false; res(); }, 300));
      },
    });
    await waitFor(() => lines.length === n, 'every entry', 60_000);
    await r.source.stop();
    expect(overlapped).toBe(false);
    expect(lines).toEqual(Array.from({ length: n }, (_, i) => `entry ${i} ${'p'.repeat(100)}`));
  });

  it('backpressure when journalctl ends while the sink holds a batch (reading to the end): nothing overlaps or is lost', async () => {
    const d = bigJournal();
    let holding = false;
    let overlapped = false;
    const lines: string[] = [];
    const r = await readAll({
      directory: d, start: { from: 'start' }, follow: false,
      sink: (b) => {
        if (holding) overlapped = true;
        lines.push(...b.lines);
        holding = true;
        return new Promise<void>((res) => setTimeout(() => { holding = false; res(); }, 5));
      },
    });
    expect(r.source.cursor).not.toBeNull();
    expect(overlapped).toBe(false);
    expect(lines.length).toBe(BIG);
  });

  it('journalctl cut short while following (its output ends inside an entry) is counted, warned and read again after the last cursor', async () => {
    const d = path.join(root, 'cut');
    const marker = path.join(root, 'cut-once');
    // the first --follow run is cut after 200 KB (journalctl then dies of SIGPIPE); later runs are whole
    const wrapper = ['bash', '-c', `case "$*" in *--follow*) if [ ! -e '${marker}' ]; then touch '${marker}'; journalctl "$@" | head -c 200000; exit 0; fi;; esac; exec journalctl "$@"`, 'journalctl'];
    const text = (i: number) => `entry ${i} ${'q'.repeat(150)}`;
    writeJournal(d, unitEntries('a.service', 50, text, T0));
    const r = startSource({ directory: d, start: { from: 'start' }, follow: true, command: wrapper });
    await waitFor(() => r.lines().length === 50 && fs.existsSync(marker), 'the catch-up and the first follow run');
    writeJournal(d, unitEntries('a.service', 3000, (i) => text(50 + i), T0 + 100_000_000));
    await waitFor(() => r.lines().length === 3050, 'every entry');
    await r.source.stop();
    expect(r.lines()).toEqual(Array.from({ length: 3050 }, (_, i) => text(i)));
    expect(r.counter('journal.restart')).toBe(1);
    expect(r.log.warnings()).toContain('journalctl ended while following; reading again after the last cursor');
  });

  it('starting at the end of a journal without a matching entry reads the matching entries written later; onIdle once caught up', async () => {
    const d = path.join(root, 'late-unit');
    writeJournal(d, unitEntries('other.service', 5, (i) => `other ${i}`, T0));
    let idle = 0;
    const r = startSource({ directory: d, start: { from: 'end' }, follow: true, matches: ['_SYSTEMD_UNIT=late.service'], onIdle: () => { idle++; }, idleMs: 50 });
    await sleep(300);
    expect(r.source.cursor).toBeNull();
    writeJournal(d, unitEntries('late.service', 4, (i) => `late ${i}`, T0 + 10_000_000));
    await waitFor(() => r.lines().length === 4, 'the late unit');
    await waitFor(() => idle === 1, 'onIdle');
    await r.source.stop();
    expect(r.lines()).toEqual([0, 1, 2, 3].map((i) => `late ${i}`));
  });

  it('a sink that throws ends the source with its error', async () => {
    const r = startSource({ directory: dir, start: { from: 'start' }, follow: true, sink: () => { throw new Error('sink broke'); } });
    await expect(r.source.done).rejects.toThrow('sink broke');
  });
});

