// The events catalogue: report() counts every event into the series its entry names, logs it with
// the entry's level and message when the group asked for it, and holds repeats back per kind and
// place ('second': one a second, the rest in the next line's `suppressed'; 'once'). Hand-set clock.
import { describe, expect, it } from 'vitest';
import { Events, EVENTS, WarnLimiter } from '../../src/core/events.js';
import { METRICS } from '../../src/core/metrics.js';
import type { Fields, Logger } from '../../src/core/log.js';
import { Registry } from '../../src/selfstats/registry.js';

function capture() {
  const lines: Array<{ level: string; msg: string; f: Fields }> = [];
  const at = (level: string) => (msg: string, f?: Fields) => { lines.push({ level, msg, f: f ?? {} }); };
  const log: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { log, lines };
}

describe('events catalogue', () => {
  it('every event names metrics that exist, and messages are constants', () => {
    for (const [kind, def] of Object.entries(EVENTS)) {
      for (const m of def.metrics) expect(METRICS, `${kind} -> ${m}`).toHaveProperty([m]);
      expect(def.message, kind).not.toMatch(/\$\{|^\s|\s$/);
    }
  });

  it('report() counts into each series with its own tags, and logs only when the group asks', () => {
    const registry = new Registry();
    const { log, lines } = capture();
    const ev = new Events(registry, log, () => 0);
    const quiet = ev.source('bad_date', { log_group: 'g', filename: '/a.log' }, { warn_on_regex_fail: false });
    const loud = ev.source('bad_date', { log_group: 'g', filename: '/b.log' }, { warn_on_regex_fail: true });
    quiet.report('/a.log', { line: 'x' });
    loud.report('/b.log', { line: 'y' });
    const v = (name: string, tags: Record<string, string>) => registry.counter(name, tags).value;
    expect(v('parse.date_failed', { log_group: 'g' })).toBe(2);
    expect(v('tail.line_failed', { log_group: 'g', filename: '/a.log' })).toBe(1);
    expect(v('tail.line_failed', { log_group: 'g', filename: '/b.log' })).toBe(1);
    expect(lines).toEqual([{ level: 'warn', msg: EVENTS.bad_date.message, f: { line: 'y', kind: 'bad_date', file: '/b.log' } }]);
  });

  it("'second': one line a second per kind and place; the held-back ones ride on the next", () => {
    let now = 0;
    const { log, lines } = capture();
    const ev = new Events(new Registry(), log, () => now);
    const a = ev.source('line_too_long', { log_group: 'g' });
    for (let i = 0; i < 5; i++) a.report('/a.log');
    a.report('/b.log');
    ev.source('read_error', { log_group: 'g', filename: '/a.log' }).report('/a.log');
    expect(lines.map((l) => [l.f.kind, l.f.file, l.f.suppressed])).toEqual([
      ['line_too_long', '/a.log', undefined], ['line_too_long', '/b.log', undefined], ['read_error', '/a.log', undefined]]);
    now = 999;
    a.report('/a.log');
    expect(lines.length).toBe(3);
    now = 1000;
    a.report('/a.log');
    expect(lines.at(-1)!.f).toMatchObject({ kind: 'line_too_long', file: '/a.log', suppressed: 5 });
  });

  it("'once': one line per kind and place, however often; counted every time", () => {
    const registry = new Registry();
    const { log, lines } = capture();
    const ev = new Events(registry, log, () => 0);
    const open = ev.source('open_failed', { log_group: 'g' });
    for (let i = 0; i < 3; i++) open.report('/var/log/secret', { error: 'EACCES' });
    open.report('/var/log/other', { error: 'EACCES' });
    expect(lines.map((l) => l.f.path)).toEqual(['/var/log/secret', '/var/log/other']);
    expect(registry.counter('tail.open_failed', { log_group: 'g' }).value).toBe(4);
  });

  it('report(kind, where) for one-off events; level from the catalogue', () => {
    const { log, lines } = capture();
    new Events(new Registry(), log).report('reload_failed', '/etc/x.conf', { issues: ['a'] });
    new Events(new Registry(), log).report('fatal', '', { error: 'boom' });
    expect(lines).toEqual([
      { level: 'error', msg: EVENTS.reload_failed.message, f: { issues: ['a'], kind: 'reload_failed', config: '/etc/x.conf' } },
      { level: 'error', msg: 'Fatal error', f: { error: 'boom', kind: 'fatal' } },
    ]);
  });

  it('count() adds a batch total without logging', () => {
    const registry = new Registry();
    const { log, lines } = capture();
    new Events(registry, log).source('line_too_long', { log_group: 'g' }).count(7);
    expect(registry.counter('tail.line_too_long', { log_group: 'g' }).value).toBe(7);
    expect(lines).toEqual([]);
  });

  it('limits hold per source: two groups (or tags) never silence each other', () => {
    const { log, lines } = capture();
    const ev = new Events(new Registry(), log, () => 0);
    const tag = (t: string) => ev.source('tag_values_full', { log_group: 'g', tag: t });
    tag('id').say('g', { tag: 'id' });
    tag('id').say('g', { tag: 'id' });
    tag('url').say('g', { tag: 'url' });
    ev.source('regex_fail', { log_group: 'a', filename: '/x' }, { warn_on_regex_fail: true }).report('/x');
    ev.source('regex_fail', { log_group: 'b', filename: '/x' }, { warn_on_regex_fail: true }).report('/x');
    expect(lines.map((l) => [l.f.kind, l.f.log_group ?? l.f.file, l.f.tag])).toEqual([
      ['tag_values_full', 'g', 'id'], ['tag_values_full', 'g', 'url'], ['regex_fail', '/x', undefined], ['regex_fail', '/x', undefined]]);
  });

  it('say() logs under the limit without counting; total is what the first series holds', () => {
    const registry = new Registry();
    const { log, lines } = capture();
    const folds = new Events(registry, log, () => 0).source('tag_values_full', { log_group: 'g', tag: 'id' });
    folds.say('g', { example: 'x' });
    expect(folds.total).toBe(0);
    folds.count(3);
    expect(registry.counter('data_pool.tag_value_folded', { log_group: 'g', tag: 'id' }).value).toBe(3);
    expect(folds.total).toBe(3);
    expect(lines.map((l) => l.msg)).toEqual([EVENTS.tag_values_full.message]);
  });

  it('WarnLimiter (stages not yet migrated) limits as report() does', () => {
    let now = 0;
    const { log, lines } = capture();
    const w = new WarnLimiter(log, () => now);
    w.warn('k', '/f', 'm');
    w.warn('k', '/f', 'm');
    now = 1000;
    w.warn('k', '/f', 'm');
    expect(lines.map((l) => l.f)).toEqual([{ kind: 'k', file: '/f' }, { kind: 'k', file: '/f', suppressed: 1 }]);
  });
});
