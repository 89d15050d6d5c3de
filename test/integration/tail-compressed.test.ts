// Issue 16, bad compressed input through the real CLI: a family whose glob also matches a corrupt
// .gz, a truncated .gz, an .xz, a .bz2 and a .zst (made by the real tools). Each gives one clear
// warning naming the file (and the format) and a count; every other line counts: the good files'
// and, of the damaged ones, the lines before the damage (as many as gunzip fed one byte at a time
// gives). zstd is read where this Node.js has a zstd decompressor, else skipped like xz.
// Then the daemon over the same files: still one warning each across rescans, and the counts on
// /metrics; and --check: the files in reading order, compressed ones marked, the skipped ones named.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { gunzipByteAtATime } from '../helpers/gunzip.js';
import { Daemon, configText, finalCounts, lastPoints, numLines, promCounter, rmrf, simpleGroup, sleep, tempDir, type LogLine } from './helpers/tail.js';

const ZSTD = typeof (zlib as { createZstdDecompress?: unknown }).createZstdDecompress === 'function';
let dir = '';
let expected = 0;
let expectedSeq = 0;
const files: Record<string, string> = {};

/** Gunzip fed one byte at a time: what it gives before the damage. */
const byteAtATime = async (data: Buffer): Promise<string> => (await gunzipByteAtATime(data)).toString('utf8');

/** gzip of a + b, with a full flush after a whose next block header is then made invalid (BTYPE 11). */
async function corruptAfter(a: string, b: string): Promise<Buffer> {
  const gz = zlib.createGzip();
  const out: Buffer[] = [];
  gz.on('data', (x: Buffer) => out.push(x));
  gz.write(a);
  await new Promise<void>((r) => gz.flush(zlib.constants.Z_FULL_FLUSH, () => r()));
  await new Promise<void>((r) => setImmediate(r));
  const boundary = Buffer.concat(out).length;
  gz.end(b);
  await new Promise<void>((r) => gz.on('end', () => r()));
  const all = Buffer.concat(out);
  all[boundary] = 0x07; // BFINAL 1, BTYPE 11: "invalid block type"
  return all;
}

/** Count and sum of the sequence numbers of the complete lines of `text`. */
function tally(text: string): { n: number; seq: number } {
  const ls = text.slice(0, text.lastIndexOf('\n') + 1).split('\n').slice(0, -1);
  return { n: ls.length, seq: ls.reduce((a, l) => a + Number(/ n=(\d+)/.exec(l)![1]), 0) };
}

beforeAll(async () => {
  dir = tempDir('gz');
  // one tag for every line ("f"), sequence numbers running through the family, a second per 50 lines
  let seq = 0;
  const part = (n: number) => { const t = numLines('f', seq, n, Math.floor(seq / 50)); seq += n; return t; };
  // oldest first, as rotation leaves them (the highest number is the oldest)
  const zstSrc = part(500);
  const bzSrc = part(500);
  const xzSrc = part(500);
  const truncatedFull = zlib.gzipSync(part(6000));
  const truncated = truncatedFull.subarray(0, Math.floor(truncatedFull.length * 0.4));
  // corrupt: a deflate block header with the reserved type at a block boundary (zlib stops there at
  // once; a flipped byte elsewhere can decode to garbage until the trailer's check)
  const corruptHalf = part(3000);
  const corrupt = await corruptAfter(corruptHalf, part(3000));
  const good = part(3000);
  const plain1 = part(2000);
  const live = part(1000);
  const w = (name: string, data: string | Buffer) => { files[name] = path.join(dir, name); fs.writeFileSync(files[name]!, data); };
  // numbered family, oldest = highest number; the unreadable ones in between
  w('app.log.7.zst.src', zstSrc); execFileSync('zstd', ['-q', '--rm', files['app.log.7.zst.src']!, '-o', path.join(dir, 'app.log.7.zst')]);
  w('app.log.6.bz2.src', bzSrc); execFileSync('sh', ['-c', `bzip2 -c '${files['app.log.6.bz2.src']}' > '${path.join(dir, 'app.log.6.bz2')}' && rm '${files['app.log.6.bz2.src']}'`]);
  w('app.log.5.xz.src', xzSrc); execFileSync('sh', ['-c', `xz -c '${files['app.log.5.xz.src']}' > '${path.join(dir, 'app.log.5.xz')}' && rm '${files['app.log.5.xz.src']}'`]);
  w('app.log.4.gz', truncated);
  w('app.log.3.gz', corrupt);
  w('app.log.2.gz', zlib.gzipSync(good));
  w('app.log.1', plain1);
  w('app.log', live);
  expect(await byteAtATime(corrupt)).toBe(corruptHalf);
  const parts = [tally(good), tally(plain1), tally(live), tally(corruptHalf), tally(await byteAtATime(truncated))];
  if (ZSTD) parts.push(tally(zstSrc));
  expected = parts.reduce((a, p) => a + p.n, 0);
  expectedSeq = parts.reduce((a, p) => a + p.seq, 0);
  // the damaged files keep a good part of their lines
  expect(tally(await byteAtATime(corrupt)).n).toBeGreaterThan(1000);
  expect(tally(await byteAtATime(truncated)).n).toBeGreaterThan(1000);
}, 120_000);
afterAll(() => { if (dir) rmrf(dir); });

const conf = (extra: Record<string, unknown> = {}) => {
  const f = path.join(dir, 'gz.conf');
  fs.writeFileSync(f, configText([simpleGroup({ name: 'gz', files: [path.join(dir, 'app.log*')], interval: 60 })], extra));
  return f;
};
const warnings = (log: LogLine[]) => log.filter((l) => l.level === 'warn');

describe('compressed and damaged files in a glob (CLI)', () => {
  it('--once: one warning and a count for each bad file; every other line counts, no regex failure', async () => {
    const r = await runCli(['-c', conf(), '--once', '--dry-run'], { timeoutMs: 120_000 });
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    const log = r.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LogLine);
    const warned = warnings(log).map((l) => `${path.basename(String(l.path))}: ${l.msg}${l.format ? ` [${String(l.format).split(' ')[0]}]` : ''}`).sort();
    expect(warned).toEqual([
      'app.log.3.gz: compressed file is corrupt or truncated: the lines before the damage were read',
      'app.log.4.gz: compressed file is corrupt or truncated: the lines before the damage were read',
      'app.log.5.xz: compressed in a format the collector cannot read; skipped [xz]',
      'app.log.6.bz2: compressed in a format the collector cannot read; skipped [bzip2]',
      ...(ZSTD ? [] : ['app.log.7.zst: compressed in a format the collector cannot read; skipped [zstd]']),
    ]);
    const done = log.find((l) => l.msg === 'Replay finished')!;
    expect(done).toMatchObject({
      lines_failed: 0, files_skipped: ZSTD ? 2 : 3, files_damaged: 2, compressed_files_read: ZSTD ? 4 : 3,
    });
    expect(Number(done.bytes_decompressed)).toBeGreaterThan(0);
    const pts = lastPoints(r.stdout);
    expect([finalCounts(pts, 'gz').get('f'), finalCounts(pts, 'gz', 'seqsum').get('f')]).toEqual([expected, expectedSeq]);
  }, 120_000);

  it('daemon: the same, warned once across rescans, counted on /metrics', async () => {
    const d = new Daemon(['-c', conf({ poll_interval: 1 }), '--dry-run']);
    try {
      await d.started();
      await sleep(3500); // three rescans
      const metrics = await d.get('/metrics');
      expect(promCounter(metrics, 'logmetrics_collector_tail_file_skipped_total', 'reason').get('unsupported_format')).toBe(ZSTD ? 2 : 3);
      expect(promCounter(metrics, 'logmetrics_collector_tail_file_damaged_total', 'log_group').get('gz')).toBe(2);
      expect(promCounter(metrics, 'logmetrics_collector_tail_compressed_file_read_total', 'log_group').get('gz')).toBe(ZSTD ? 4 : 3);
      expect(promCounter(metrics, 'logmetrics_collector_tail_byte_decompressed_total', 'log_group').get('gz')).toBeGreaterThan(0);
      expect((await d.stop()).code).toBe(0);
      expect(warnings(d.log()).length).toBe(ZSTD ? 4 : 5);
      const pts = lastPoints(d.stdout());
      expect([finalCounts(pts, 'gz').get('f'), finalCounts(pts, 'gz', 'seqsum').get('f')]).toEqual([expected, expectedSeq]);
    } finally {
      d.dispose();
    }
  }, 60_000);

  it('--check lists the family in reading order, compressed files marked, the unreadable formats named', async () => {
    const r = await runCli(['--check', '-c', conf()], { env: { NO_COLOR: '1', FORCE_COLOR: '' } });
    expect(r.code).toBe(0);
    const order = r.stdout.split('\n').filter((l) => l.startsWith(`      ${dir}/`)).map((l) => l.trim().replace(`${dir}/`, '').replace(/ \([^,)]*(, )?/, ' ('));
    expect(order).toEqual([
      `app.log.7.zst (zstd)${ZSTD ? '' : '  skipped: zstd (this Node.js has no zstd decompressor; Node 22.15 or later reads it)'}`,
      'app.log.6.bz2 (bzip2)  skipped: bzip2 (not supported: only gzip and zstd are decompressed)',
      'app.log.5.xz (xz)  skipped: xz (not supported: only gzip and zstd are decompressed)',
      'app.log.4.gz (gzip)', 'app.log.3.gz (gzip)', 'app.log.2.gz (gzip)', 'app.log.1 ()', 'app.log ()',
    ]);
  }, 60_000);
});
