// Issue 19: no input can make the collector's own log write megabytes a minute (a broad glob once
// logged 181,000 warnings, 59 MB, in 60 s). 2,000 files each get a line that fails the regex every
// second, with warn_on_regex_fail: one warning a second per file is allowed, so 2,000 a second would
// be written without the global limit. Bound checked, over 20 s: at most burst + 20 s x rate + the
// summaries (1,000 + 200 + 2 x 61 lines) and under 1 MB; every failure still counted; the log says
// how many similar messages it held back; "Collector started" is not lost in the flood.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LOG_LIMIT, FREE_PASSES, SUMMARY_KINDS, SUMMARY_MS } from '../../src/core/log.js';
import { Daemon, httpGet, report, rmrf, simpleGroup, sleep, tempDir, writeConfig } from './helpers/tail.js';

const FILES = 2000;
const RUN_S = 20;

let dir = '';
let daemon: Daemon | undefined;
afterEach(() => { daemon?.dispose(); daemon = undefined; if (dir) rmrf(dir); dir = ''; });

describe('log volume under a flood of warnings (CLI, daemon)', () => {
  it(`${FILES} files failing every second: the log stays within its global limit`, async () => {
    dir = tempDir('logvol');
    const files = Array.from({ length: FILES }, (_, i) => path.join(dir, `f${i}.log`));
    for (const f of files) fs.writeFileSync(f, '');
    const conf = writeConfig(path.join(dir, 'c.conf'), [
      simpleGroup({ name: 'g', files: [path.join(dir, '*.log')], parse_from_start: true }).replace('parse_from_start: true', `parse_from_start: true, warn_on_regex_fail: true, max_files: ${FILES}`),
    ], { poll_interval: 5 });
    const d = daemon = new Daemon(['-c', conf, '--dry-run']);
    const port = (await d.started(60_000))!;
    const logStart = d.stderr().length;
    const t0 = Date.now();
    let rounds = 0;
    while (Date.now() - t0 < RUN_S * 1000) {
      for (let i = 0; i < FILES; i++) fs.appendFileSync(files[i]!, `this line matches nothing ${rounds} ${i}\n`);
      rounds++;
      await sleep(Math.max(0, rounds * 1000 - (Date.now() - t0)));
    }
    const elapsed = (Date.now() - t0) / 1000;
    await sleep(SUMMARY_MS + 1000);                 // the last summary
    const failed = [...(await httpGet(port, '/metrics')).matchAll(/^logmetrics_collector_tail_line_failed_total\{[^}]*\} (\d+)$/gm)]
      .reduce((n, m) => n + Number(m[1]), 0);
    const text = d.stderr().slice(logStart);
    const lines = text.split('\n').filter(Boolean);
    const warned = lines.filter((l) => l.includes('"msg":"Line did not match"')).length;
    const held = [...text.matchAll(/"suppressed":(\d+),"message":"Line did not match"/g)].reduce((n, m) => n + Number(m[1]), 0);
    const { burst, perSecond } = DEFAULT_LOG_LIMIT;
    const windows = Math.ceil((elapsed * 1000 + SUMMARY_MS + 1000) / SUMMARY_MS);
    const bound = burst + Math.ceil(elapsed) * perSecond + windows * (FREE_PASSES + SUMMARY_KINDS + 1);
    report('log-volume', { files: FILES, seconds: elapsed, failures_counted: failed, log_lines: lines.length, log_bytes: text.length, warned, held_back: held, bound });
    expect(failed).toBe(FILES * rounds);            // every failure counted
    expect(lines.length).toBeLessThanOrEqual(bound);
    expect(text.length).toBeLessThan(1 << 20);
    expect(held).toBeGreaterThan(0);                // and the log says so
    expect(d.findLog('Collector started')).toBeDefined();
    expect((await d.stop()).code).toBe(0);
  }, 180_000);
});
