// The collector's own log: the global rate limit, its "N similar messages suppressed" summaries and
// clipped fields. A hand-set clock and a captured summary timer; no sleeping.
import { describe, expect, it } from 'vitest';
import { createLogger, DEFAULT_LOG_LIMIT, FREE_PASSES, SUMMARY_KINDS, SUMMARY_MS, type LoggerOptions } from '../../src/core/log.js';

interface Line { level: string; msg: string; [k: string]: unknown }

function harness(opts: Partial<LoggerOptions> = {}) {
  const lines: Line[] = [];
  let now = 1_000_000;
  const timers: Array<{ fn: () => void; at: number }> = [];
  const stream = { write: (s: string) => { for (const l of s.split('\n')) if (l) lines.push(JSON.parse(l) as Line); return true; } };
  const log = createLogger({
    pretty: false, stream: stream as unknown as NodeJS.WritableStream, limit: { burst: 5, perSecond: 2 },
    now: () => now, schedule: (fn, ms) => timers.push({ fn, at: now + ms }), ...opts,
  });
  const advance = (ms: number) => {
    now += ms;
    for (const t of timers.splice(0)) { if (t.at <= now) t.fn(); else timers.push(t); }
  };
  return { log, lines, advance, timers };
}

describe('log rate limit', () => {
  it('lets a burst through, then perSecond lines a second; the rest is summed up by message', () => {
    const { log, lines, advance } = harness();
    for (let i = 0; i < 100; i++) log.warn('cannot open file', { path: `/x/${i}` });
    for (let i = 0; i < 30; i++) log.info('tailing file from its end', { path: `/y/${i}` });
    // the burst, then the first line of another message (a free pass), then nothing
    expect(lines.map((l) => l.path)).toEqual(['/x/0', '/x/1', '/x/2', '/x/3', '/x/4', '/y/0']);
    advance(1000);                      // two tokens back
    log.error('tailing stopped');
    log.warn('cannot open file', { path: '/x/100' });
    log.warn('cannot open file', { path: '/x/101' });
    expect(lines.slice(6).map((l) => l.path ?? l.msg)).toEqual(['tailing stopped', '/x/100']);
    advance(SUMMARY_MS);
    const summary = lines.slice(8);
    expect(summary).toEqual([
      expect.objectContaining({ level: 'warn', msg: '96 similar messages suppressed', suppressed: 96, message: 'cannot open file', seconds: 11 }),
      expect.objectContaining({ level: 'info', msg: '29 similar messages suppressed', suppressed: 29, message: 'tailing file from its end' }),
    ]);
    // the summary is written once; a quiet log says nothing more
    advance(SUMMARY_MS);
    expect(lines.length).toBe(10);
  });

  it('a flood of one message does not hide another ("Collector started" among the tailing lines)', () => {
    const { log, lines, advance } = harness({ limit: { burst: 10, perSecond: 1 } });
    for (let i = 0; i < 10_000; i++) log.info('tailing file from its end', { path: `/g/${i}` });
    log.info('Collector started');
    advance(1);
    log.info('Collector started');   // again within SUMMARY_MS: no second free pass
    expect(lines.map((l) => l.msg).filter((m) => m === 'Collector started')).toHaveLength(1);
    advance(SUMMARY_MS);
    expect(lines.at(-2)).toMatchObject({ suppressed: 9990, message: 'tailing file from its end' });
    expect(lines.at(-1)).toMatchObject({ suppressed: 1, message: 'Collector started' });
  });

  it('keeps a flood of distinct messages to FREE_PASSES, SUMMARY_KINDS lines and one for the rest', () => {
    const { log, lines, advance } = harness({ limit: { burst: 1, perSecond: 1 } });
    for (let i = 0; i < 100_000; i++) log.warn(`message ${i}`);
    expect(lines.length).toBe(1 + FREE_PASSES);
    advance(SUMMARY_MS);
    expect(lines.length).toBe(1 + FREE_PASSES + SUMMARY_KINDS + 1);
    const other = lines.at(-1)!;
    expect(other.msg).toMatch(/other messages suppressed$/);
    const total = lines.slice(1 + FREE_PASSES).reduce((n, l) => n + Number(l.suppressed), 0);
    expect(total).toBe(100_000 - 1 - FREE_PASSES);
  });

  it('bounds the volume a minute whatever the input', () => {
    const { burst, perSecond } = DEFAULT_LOG_LIMIT;
    const { log, lines, advance } = harness({ limit: DEFAULT_LOG_LIMIT });
    for (let s = 0; s < 60; s++) {
      for (let i = 0; i < 3000; i++) log.warn('error reading file', { path: `/f/${i}`, error: 'EMFILE: too many open files' });
      for (let i = 0; i < 100; i++) log.warn(`tailing stopped: error ${s}-${i}`); // messages that never repeat
      advance(1000);
    }
    // burst + 59 s of refill + per 10 s: the free passes and a summary
    const bound = burst + 59 * perSecond + 6 * (FREE_PASSES + SUMMARY_KINDS + 1);
    expect(lines.length).toBeLessThanOrEqual(bound);
    expect(lines.filter((l) => /suppressed/.test(l.msg)).length).toBe(6 * (SUMMARY_KINDS + 1));
    expect(JSON.stringify(lines).length).toBeLessThan(1 << 20); // well under a megabyte a minute
  });

  it('flush() writes the pending summary at once (exit)', () => {
    const { log, lines } = harness({ limit: { burst: 1, perSecond: 1 } });
    log.warn('a');
    log.warn('a');
    (log as { flush(): void }).flush();
    expect(lines.map((l) => l.msg)).toEqual(['a', '1 similar messages suppressed']);
  });

  it('clips long strings and long lists', () => {
    const { log, lines } = harness();
    log.info('Collector started', { groups: Array.from({ length: 10_000 }, (_, i) => `g${i}`), line: 'x'.repeat(100_000) });
    const l = lines[0]!;
    expect((l.groups as string[]).length).toBe(51);
    expect((l.groups as string[]).at(-1)).toBe('… and 9950 more');
    expect(String(l.line).length).toBeLessThan(4200);
    expect(JSON.stringify(l).length).toBeLessThan(5000);
  });

  it('filters by level before counting against the limit', () => {
    const { log, lines } = harness({ level: 'warn', limit: { burst: 1, perSecond: 1 } });
    for (let i = 0; i < 10; i++) log.debug('noise');
    log.warn('kept');
    expect(lines.map((l) => l.msg)).toEqual(['kept']);
  });
});
