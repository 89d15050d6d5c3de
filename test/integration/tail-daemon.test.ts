// Issue 4, daemon behaviour through the real CLI (--dry-run):
// - a quiet log's last interval is pushed within `interval` seconds of wall time (live_poll true and
//   false), measured from the last write;
// - SIGHUP with a broken config keeps the running one (logged), a good one is applied;
// - a corrupt state file without a previous generation is moved aside with a clear message and the
//   collector starts fresh; the state it writes at shutdown then restores cleanly.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Daemon, numLines as lines, configText, finalCounts, lastPoints, report, rmrf, simpleGroup, sleep, tempDir, until, writeConfig,
} from './helpers/tail.js';

let dir = '';
let daemon: Daemon | undefined;
afterEach(() => { daemon?.dispose(); daemon = undefined; if (dir) rmrf(dir); dir = ''; });

describe('quiet flush (CLI, daemon mode)', () => {
  it("a quiet log's last interval is pushed within `interval` s of wall time, live_poll true and false", async () => {
    const INTERVAL = 3;
    dir = tempDir('quiet');
    const live = path.join(dir, 'live.log');
    const rep = path.join(dir, 'rep.log');
    fs.writeFileSync(live, '');
    fs.writeFileSync(rep, '');
    const conf = writeConfig(path.join(dir, 'quiet.conf'), [
      simpleGroup({ name: 'qlive', files: [live], interval: INTERVAL, live_poll: true }),
      simpleGroup({ name: 'qrep', files: [rep], interval: INTERVAL, live_poll: false }),
    ]);
    const d = daemon = new Daemon(['-c', conf, '--dry-run']);
    await d.started();

    // Log time stays within one interval: no log-time push; only the quiet flush can push.
    const latencies: Record<string, number[]> = { live: [], rep: [] };
    let total = 0;
    for (const [round, bursts] of [[0, 5], [1, 2]] as const) {
      let tLast = 0;
      for (let b = 0; b < bursts; b++) {
        if (b > 0) await sleep(200);
        fs.appendFileSync(live, lines('live', total, 20, round));
        fs.appendFileSync(rep, lines('rep', total, 20, round));
        tLast = Date.now();
        total += 20;
      }
      const want = total;
      const seen: Record<string, number> = {};
      await until(() => {
        const c = new Map([...finalCounts(lastPoints(d.stdout()), 'qlive'), ...finalCounts(lastPoints(d.stdout()), 'qrep')]);
        for (const tag of ['live', 'rep']) if (seen[tag] === undefined && c.get(tag) === want) seen[tag] = Date.now() - tLast;
        return seen.live !== undefined && seen.rep !== undefined;
      }, 15_000, () => `the quiet flush of round ${round} (${want} lines); stdout: ${d.stdout().slice(-500)}`, 20);
      latencies.live!.push(seen.live!);
      latencies.rep!.push(seen.rep!);
      await sleep(500);
    }
    const exit = await d.stop();
    expect(exit.code, d.stderr().slice(-2000)).toBe(0);
    // each round pushed once, with the round's total: nothing but the quiet flush pushed (live_poll
    // true: the group clock's first tick, at the very first line, pushes that line)
    const counts = d.stdout().split('\n').filter((l) => /^put q(live|rep)\.lines\.count /.test(l)).map((l) => l.split(' ')[3] + ' ' + l.split(' ')[4]);
    expect(counts.sort()).toEqual(['1 file=live', '100 file=live', '100 file=rep', '140 file=live', '140 file=rep']);
    report('quiet-flush', { interval_s: INTERVAL, latency_live_ms: latencies.live!.join('/'), latency_replay_ms: latencies.rep!.join('/') });
    for (const l of [...latencies.live!, ...latencies.rep!]) {
      expect(l).toBeGreaterThanOrEqual(INTERVAL * 1000 - 250); // not before `interval` s of quiet
      expect(l).toBeLessThan(INTERVAL * 1000 + 2500);           // the check runs every second; slack for a loaded machine
    }
  }, 60_000);
});

describe('SIGHUP (CLI, daemon mode)', () => {
  it('a broken config is reported and the running one kept; a good one is applied', async () => {
    dir = tempDir('hup');
    const a = path.join(dir, 'a.log');
    const b = path.join(dir, 'b.log');
    fs.writeFileSync(a, lines('a', 0, 100));
    fs.writeFileSync(b, lines('b', 0, 20));
    const ga = simpleGroup({ name: 'ga', files: [a] });
    const conf = writeConfig(path.join(dir, 'hup.conf'), [ga]);
    const d = daemon = new Daemon(['-c', conf, '--dry-run']);
    await d.started();
    await until(async () => (await d.linesRead()).get(a) === 100, 10_000, 'a.log read');

    const failures = () => d.log().filter((l) => l.msg === 'Config reload failed; keeping the running config');
    // a YAML syntax error, then a wrong value
    fs.writeFileSync(conf, configText([ga]).replace('expected_matches: 3,', 'expected_matches: 3, ]'));
    d.signal('SIGHUP');
    await until(() => failures().length === 1, 10_000, 'the first reload failure to be logged');
    fs.writeFileSync(conf, configText([ga]).replace('interval: 10', 'interval: "soon"'));
    d.signal('SIGHUP');
    await until(() => failures().length === 2, 10_000, 'the second reload failure to be logged');
    expect(failures().map((l) => l.level)).toEqual(['error', 'error']);
    expect(JSON.stringify(failures()[1]!.issues)).toMatch(/ga\.interval/);
    expect(d.isExited).toBe(false);
    // still tailing with the running config
    fs.appendFileSync(a, lines('a', 100, 50));
    await until(async () => (await d.linesRead()).get(a) === 150, 10_000, 'a.log read after the failed reloads');

    // a good config with one more group
    writeConfig(conf, [ga, simpleGroup({ name: 'gb', files: [b] })]);
    d.signal('SIGHUP');
    await until(() => d.findLog('Config reloaded'), 10_000, 'the reload');
    expect(d.findLog('Config reloaded')).toMatchObject({ groups: ['ga', 'gb'], unchanged: ['ga'] });
    await until(async () => (await d.linesRead()).get(b) === 20, 10_000, 'b.log read after the reload');
    const exit = await d.stop();
    expect(exit.code, d.stderr().slice(-2000)).toBe(0);
    const pts = lastPoints(d.stdout());
    expect(finalCounts(pts, 'ga').get('a')).toBe(150);
    expect(finalCounts(pts, 'gb').get('b')).toBe(20);
  }, 60_000);
});

describe('state file (CLI, daemon mode)', () => {
  for (const [what, content] of [['not JSON', '{"version":1,"files":[{"gro'], ['another version', '{"version":99,"files":[],"groups":{},"pending":[]}']] as const) {
    it(`a corrupt state file (${what}) is moved aside with a clear message; the collector starts fresh`, async () => {
      dir = tempDir('state');
      const a = path.join(dir, 'a.log');
      const state = path.join(dir, 'state.json');
      fs.writeFileSync(a, lines('a', 0, 100));
      fs.writeFileSync(state, content);
      const conf = writeConfig(path.join(dir, 'st.conf'), [simpleGroup({ name: 'ga', files: [a] })]);
      const args = ['-c', conf, '--dry-run', '--state-file', state];
      let d = daemon = new Daemon(args);
      await d.started();
      // spec section 8: the newest is unusable and there is no previous generation: moved aside, fresh start
      expect(d.findLog(/falling back to its previous generation/)).toMatchObject({ level: 'warn', state_file: state });
      const msg = d.findLog('Unusable state file moved aside');
      expect(msg).toMatchObject({ level: 'error', state_file: state });
      expect(String(msg!.error)).not.toBe('');
      expect(d.findLog('No usable state file: starting fresh')).toMatchObject({ level: 'error', state_file: state });
      const aside = String(msg!.moved_to);
      expect(path.dirname(aside)).toBe(dir);
      expect(fs.readFileSync(aside, 'utf8')).toBe(content);
      expect(d.findLog('tailing file from its start')).toMatchObject({ path: a, offset: 0 });
      await until(async () => (await d.linesRead()).get(a) === 100, 10_000, 'a.log read');
      expect((await d.stop()).code).toBe(0);
      expect(finalCounts(lastPoints(d.stdout()), 'ga').get('a')).toBe(100);

      // the state written at shutdown is good: a restart resumes, nothing read twice
      expect(fs.readFileSync(state).subarray(0, 8).toString('latin1')).toBe('LMCSTATE');
      d = daemon = new Daemon(args);
      await d.started();
      expect(d.findLog(/^State file|state file/i)).toBeUndefined();
      expect(d.findLog('State restored')).toMatchObject({ files: 1, generation: 'newest' });
      expect(d.findLog('tailing file from its checkpoint')).toMatchObject({ path: a });
      fs.appendFileSync(a, lines('a', 100, 10));
      await until(async () => (await d.linesRead()).get(a) === 10, 10_000, 'the new lines read');
      expect((await d.stop()).code).toBe(0);
      expect(finalCounts(lastPoints(d.stdout()), 'ga').get('a')).toBe(110);
      expect(finalCounts(lastPoints(d.stdout()), 'ga', 'seqsum').get('a')).toBe((110 * 109) / 2);
    }, 60_000);
  }
});
