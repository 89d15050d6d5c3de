// The collector's own log: the global rate limit, its "N similar messages suppressed" summaries and
// clipped fields. A hand-set clock and a captured summary timer; no sleeping.
import { describe, expect, it } from 'vitest';
import { createLogger, SUMMARY_KINDS, SUMMARY_MS, type LoggerOptions } from '../../src/core/log.js';

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
    expect(lines.map((l) => l.path)).toEqual(['/x/0', '/x/1', '/x/2', '/x/3', '/x/4']);
    advance(1000);                      // two tokens back
    log.error('tailing stopped');
    log.warn('cannot open file', { path: '/x/100' });
    log.warn('cannot open file', { path: '/x/101' });
    expect(lines.slice(5).map((l) => l.msg)).toEqual(['tailing stopped', 'cannot open file']);
    advance(SUMMARY_MS);
    const summary = lines.slice(7);
    expect(summary).toEqual([
      expect.objectContaining({ level: 'warn', msg: '96 similar messages suppressed', suppressed: 96, message: 'cannot open file', seconds: 11 }),
      expect.objectContaining({ level: 'info', msg: '30 similar messages suppressed', suppressed: 30, message: 'tailing file from its end' }),
    ]);
    // the summary is written once; a quiet log says nothing more
    advance(SUMMARY_MS);
    expect(lines.length).toBe(9);
  });

  it('keeps a flood of distinct messages to SUMMARY_KINDS lines and one for the rest', () => {
    const { log, lines, advance } = harness({ limit: { burst: 1, perSecond: 1 } });
    for (let i = 0; i < 1000; i++) log.warn(`message ${i % 50}`);
    advance(SUMMARY_MS);
    expect(lines.length).toBe(1 + SUMMARY_KINDS + 1);
    const other = lines.at(-1)!;
    expect(other.msg).toMatch(/other messages suppressed$/);
    const total = lines.slice(1).reduce((n, l) => n + Number(l.suppressed), 0);
    expect(total).toBe(999);
  });

  it('bounds the volume a minute whatever the input', () => {
    const { log, lines, advance } = harness({ limit: { burst: 200, perSecond: 20 } });
    for (let s = 0; s < 60; s++) {
      for (let i = 0; i < 3000; i++) log.warn('error reading file', { path: `/f/${i}`, error: 'EMFILE: too many open files' });
      advance(1000);
    }
    // burst + 59 s of refill + 6 summaries
    expect(lines.length).toBeLessThanOrEqual(200 + 59 * 20 + 6);
    expect(lines.filter((l) => /suppressed/.test(l.msg)).length).toBe(6);
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
