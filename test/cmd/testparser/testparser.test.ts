// --test-parser through the real CLI: where lines fail (piece, comment, config line, column), the
// summary, --show-keys, stdin, sorted files, exit codes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ASSUME_NOW, FIXTURES, runCli } from '../../helpers/cli.js';

const REST = FIXTURES + 'rest_api.conf';
const GOOD = readFileSync(FIXTURES + 'rest_api.perf.log', 'utf8').split('\n')[0]!;

let dir: string;
beforeAll(() => { dir = mkdtempSync(path.join(tmpdir(), 'lmc-testparser-')); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

function write(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** The sample block of a report that starts with `<file>:<n>:`. */
function block(stdout: string, where: string): string[] {
  const lines = stdout.split('\n');
  const i = lines.findIndex((l) => l.startsWith(where + ' '));
  expect(i, `no block for ${where} in:\n${stdout}`).toBeGreaterThanOrEqual(0);
  const out: string[] = [];
  for (let j = i; j < lines.length && lines[j] !== ''; j++) out.push(lines[j]!);
  return out;
}

/** Checks that the caret line puts '^' under the 1-based `column` of the shown line (short lines are shown whole). */
function expectCaret(b: string[], column: number): void {
  expect(b[2]).toBe(' '.repeat(4 + column - 1) + '^');
}

function summaryValue(stdout: string, label: string): string {
  const m = new RegExp(`^\\s+${label}:\\s+(.*)$`, 'm').exec(stdout);
  expect(m, `no "${label}" in:\n${stdout}`).not.toBeNull();
  return m![1]!;
}

describe('--test-parser on the README regex (fixtures/rest_api.conf)', () => {
  const first = GOOD.replace('04:00:00', '04-00-00');   // "Date 1" stops at the first ':'
  const middle = GOOD.replace('(20)', '(x)');          // "call time 6"
  const last = GOOD.replace('[other:0/0]', '[other:0/x]'); // "other calls 15, other time 16"
  const badDate = GOOD.replace('Feb', 'Fab');
  let out: { code: number | null; stdout: string; stderr: string };
  let file: string;

  beforeAll(async () => {
    file = write('rest.log', [GOOD, first, middle, last, badDate, GOOD].join('\n') + '\n');
    out = await runCli(['-c', REST, '--test-parser', 'rest.api', '--input', file, '--assume-now', ASSUME_NOW], { env: { FORCE_COLOR: '', NO_COLOR: '' } });
  });

  it('exits 1 when some lines fail and counts them', () => {
    expect(out.code).toBe(1);
    expect(summaryValue(out.stdout, 'lines read')).toBe('6');
    expect(summaryValue(out.stdout, 'matched')).toBe('2');
    expect(summaryValue(out.stdout, 'failed')).toBe('4');
    expect(summaryValue(out.stdout, 'no match')).toBe('3');
    expect(summaryValue(out.stdout, 'unparsable date')).toBe('1');
    expect(summaryValue(out.stdout, 'too long')).toBe('0');
    expect(summaryValue(out.stdout, 'lines/s')).toMatch(/^\d+$/);
    expect(out.stdout).not.toMatch(/\x1b\[/); // no colour in a pipe
  });

  it('a failure in the first piece: the piece, its comment, its config line and the column', () => {
    const b = block(out.stdout, `${file}:2:`);
    expect(b[0]).toBe(`${file}:2: no match at column 10: piece 1/10 "Date 1" (config line 6)`);
    expect(b[1]).toBe('    ' + first);
    expectCaret(b, 10);
    expect(first[9]).toBe('-');
    expect(b[3]).toBe('    piece 1 pattern: ([A-z]{3}\\s+\\d+\\s+\\d+:\\d+:\\d+)\\s+');
    expect(b[4]).toBe('    failed at: :');
  });

  it('a failure in a middle piece: "call time 6" with the caret on the x of (x)', () => {
    const col = middle.indexOf('(x)') + 2;
    const b = block(out.stdout, `${file}:3:`);
    expect(b[0]).toBe(`${file}:3: no match at column ${col}: piece 5/10 "call time 6" (config line 10)`);
    expectCaret(b, col);
    expect(middle[col - 1]).toBe('x');
    expect(b[3]).toBe('    piece 5 pattern: \\(([0-9]+)\\)\\s+');
    expect(b[4]).toBe('    failed at: [0-9]+');
  });

  it('a failure in the last piece', () => {
    const col = last.indexOf('[other:0/x]') + 10;
    const b = block(out.stdout, `${file}:4:`);
    expect(b[0]).toBe(`${file}:4: no match at column ${col}: piece 10/10 "other calls 15, other time 16" (config line 15)`);
    expectCaret(b, col);
    expect(last[col - 1]).toBe('x');
  });

  it('a line that matches but whose date does not parse is a date failure', () => {
    const b = block(out.stdout, `${file}:5:`);
    expect(b[0]).toBe(`${file}:5: unparsable date: "Fab  8 04:00:00" does not match layout "Jan  2 15:04:05" (timezone UTC)`);
    expectCaret(b, 1);
  });

  it('tables where lines failed, most frequent first, then in regex order', () => {
    const i = out.stdout.indexOf('where lines failed:');
    expect(i).toBeGreaterThan(0);
    expect(out.stdout.slice(i).split('\n').slice(1, 5)).toEqual([
      '  1  piece 1/10 "Date 1" (config line 6)',
      '  1  piece 5/10 "call time 6" (config line 10)',
      '  1  piece 10/10 "other calls 15, other time 16" (config line 15)',
      '  1  unparsable date',
    ]);
  });

  it('matched lines print nothing without --show-keys', () => {
    expect(out.stdout).not.toContain(`${file}:1:`);
    expect(out.stdout).not.toContain('(meter)');
  });
});

describe('--test-parser --show-keys', () => {
  it('prints the keys and raw values of each matched line, and why a reference recorded nothing', async () => {
    const neg = GOOD.replace('(20)', '(3)').replace('[other:0/0]', '[other:0/3]');
    const file = write('keys.log', `${GOOD}\n${neg}\n`);
    const r = await runCli(['-c', REST, '--test-parser', 'rest.api', '--input', file, '--show-keys', '--assume-now', ASSUME_NOW]);
    expect(r.code).toBe(0);
    const b1 = block(r.stdout, `${file}:1:`);
    expect(b1[0]).toBe(`${file}:1: matched log time 2026-02-08T04:00:00Z`);
    expect(b1[1]).toBe('    ' + GOOD);
    const tags = 'call=getUser class=t host=rest1.mynetwork';
    expect(b1.slice(2)).toEqual([
      `    rest.api.executions (meter) 1770523200 1 ${tags} resource=local`,
      `    rest.api.executions (meter) 1770523200 1 ${tags} resource=bnt`,
      `    rest.api.executions (meter) 1770523200 2 ${tags} resource=sql`,
      `    rest.api.executions (meter) 1770523200 0 ${tags} resource=membase`,
      `    rest.api.executions (meter) 1770523200 4 ${tags} resource=memcache`,
      `    rest.api.executions (meter) 1770523200 0 ${tags} resource=other`,
      `    rest.api.execution_time.ms (histogram) 1770523200 15 ${tags} resource=local`,
      `    rest.api.execution_time.ms (histogram) 1770523200 20 ${tags} resource=total`,
      `    rest.api.execution_time.ms (histogram) 1770523200 2 ${tags} resource=bnt`,
      `    rest.api.execution_time.ms (histogram) 1770523200 1 ${tags} resource=sql`,
      `    rest.api.execution_time.ms (histogram) 1770523200 0 ${tags} resource=membase`,
      `    rest.api.execution_time.ms (histogram) 1770523200 2 ${tags} resource=memcache`,
      `    rest.api.execution_time.ms (histogram) 1770523200 0 ${tags} resource=other`,
    ]);
    const b2 = block(r.stdout, `${file}:2:`);
    expect(b2).toContain(`    rest.api.execution_time.ms (histogram) 1770523200 - ${tags} resource=local  (not recorded: $6 - $8 - $10 - $12 - $14 - $16 = -5 is below 0)`);
    expect(b2).toContain(`    rest.api.execution_time.ms (histogram) 1770523200 3 ${tags} resource=total`);
    expect(summaryValue(r.stdout, 'negative values')).toBe('1');
  });

  it('--max-samples caps the matched lines shown as well as the failing ones', async () => {
    const file = write('many.log', `${GOOD}\n${GOOD}\n${GOOD}\nbad 1\nbad 2\nbad 3\n`);
    const r = await runCli(['-c', REST, '--test-parser', 'rest.api', '--input', file, '--show-keys', '--max-samples', '1']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${file}:1: matched`);
    expect(r.stdout).not.toContain(`${file}:2:`);
    expect(r.stdout).toContain(`${file}:4: no match`);
    expect(r.stdout).not.toContain(`${file}:5:`);
    expect(r.stdout).toContain('(2 more failing lines not shown; see --max-samples)');
    expect(summaryValue(r.stdout, 'no match')).toBe('3');
  });
});

describe('--test-parser input and exit codes', () => {
  it('reads stdin with --input - and exits 0 when every line matched', async () => {
    const r = await runCli(['-c', REST, '--test-parser', 'rest.api', '--input', '-'], { input: `${GOOD}\n${GOOD}` });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('input <stdin>');
    expect(summaryValue(r.stdout, 'lines read')).toBe('2'); // the last line has no newline: still read
    expect(summaryValue(r.stdout, 'matched')).toBe('2');
    expect(summaryValue(r.stdout, 'failed')).toBe('0');
  });

  it('names stdin lines <stdin>:N', async () => {
    const r = await runCli(['-c', REST, '--test-parser', 'rest.api', '--input', '-'], { input: `${GOOD}\nnope\n` });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('<stdin>:2: no match at column');
  });

  it("reads the group's own files from their start (fixtures/rest_api.perf.log: 28 of 29 lines match)", async () => {
    const r = await runCli(['-c', REST, '--test-parser', 'rest.api']);
    const f = `${FIXTURES}rest_api.perf.log`;
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`  ${f}\n`);
    expect(summaryValue(r.stdout, 'files')).toBe('1');
    expect(summaryValue(r.stdout, 'lines read')).toBe('29');
    expect(summaryValue(r.stdout, 'matched')).toBe('28');
    // line 6 is "... rest_sales.api: [INFO] something else entirely": `.*` backs up to the last '[',
    // and the `c` of `\[c:` meets the I of [INFO]
    const b = block(r.stdout, `${f}:6:`);
    expect(b[0]).toBe(`${f}:6: no match at column 50: piece 4/10 "call 5" (config line 9)`);
    expect(b[1]!.slice(4)[49]).toBe('I');
    expectCaret(b, 50);
    expect(b[4]).toBe('    failed at: c');
  });

  it('exits 2 on an unknown group and lists the known ones on stderr', async () => {
    const r = await runCli(['-c', REST, '--test-parser', 'no.such.group']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('no log group "no.such.group"');
    expect(r.stderr).toContain('known log groups: rest.api');
  });

  it('exits 2 on a config error', async () => {
    const conf = write('broken.conf', '{ g: { files: ["x"], re: ["(a"], expected_matches: 1 } }\n');
    const r = await runCli(['-c', conf, '--test-parser', 'g']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('broken.conf');
  });

  it('exits 2 when --input cannot be read', async () => {
    const r = await runCli(['-c', REST, '--test-parser', 'rest.api', '--input', path.join(dir, 'missing.log')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot read --input');
  });
});

describe('--test-parser on a small config of its own', () => {
  let sub: string;
  let conf: string;
  beforeAll(() => {
    sub = mkdtempSync(path.join(dir, 'own-'));
    conf = path.join(sub, 'own.conf');
    writeFileSync(conf, `{
  two: {
    files: [ "./logs/*.log" ],
    filename_match: '/([ab])\\.log$',
    re: [
      '^(\\d+)\\s                # num 1 \\n
       A(\\w+)\\s                # word 2 \\n
       B(\\d+)$                  # end 3 \\n',
      '^(\\d+)\\s                # num 1 \\n
       (\\w+)\\s+                # any 2 \\n
       C(\\d+)                   # cee 3 \\n
       D$                        # dee \\n'
    ],
    expected_matches: 3,
    date: { position: 1, format: "unix" },
    key_prefix: "two",
    tags: { w: 2, f: 4, k: "const" },
    metrics: { counter: [ { key_suffix: "n", reference: [ [3, "r=x"] ] } ] }
  },
  settings: { max_line_bytes: 60 }
}
`);
    mkdirSync(path.join(sub, 'logs'));
    writeFileSync(path.join(sub, 'logs', 'b.log'), '1700000000 Afoo B1x\n');
    writeFileSync(path.join(sub, 'logs', 'a.log'), `1700000000 foo C12 E\n1700000000 Abar B7\n${'1'.repeat(70)}\n`);
    writeFileSync(path.join(sub, 'logs', 'c.log'), 'never read\n');
  });

  it('reports the regex that got furthest: most pieces, then the longest column', async () => {
    const r = await runCli(['-c', conf, '--test-parser', 'two', '--show-keys']);
    expect(r.code).toBe(1);
    const a = path.join(sub, 'logs', 'a.log');
    const b = path.join(sub, 'logs', 'b.log');
    // regex 1 stops after 1 piece, regex 2 after 3: regex 2 wins
    expect(block(r.stdout, `${a}:1:`)[0]).toBe(`${a}:1: no match at column 19: regex 2/2, piece 4/4 "dee" (config line 12)`);
    // both stop after 2 pieces; regex 1 got further along the line (column 19 vs 17)
    expect(block(r.stdout, `${b}:1:`)[0]).toBe(`${b}:1: no match at column 19: regex 1/2, piece 3/3 "end 3" (config line 8)`);
    // a matched line: keys with constant and filename_match tags
    const m = block(r.stdout, `${a}:2:`);
    expect(m[0]).toBe(`${a}:2: matched regex 1, log time 2023-11-14T22:13:20Z`);
    expect(m[2]).toBe('    two.n (counter) 1700000000 7 f=a k=const w=bar r=x');
    // too long (max_line_bytes 60)
    expect(block(r.stdout, `${a}:3:`)[0]).toBe(`${a}:3: line too long: 70 bytes, max_line_bytes is 60 (skipped, as the collector does)`);
  });

  it('reads the files in sorted order, skipping those filename_match rejects', async () => {
    const r = await runCli(['-c', conf, '--test-parser', 'two']);
    const a = r.stdout.indexOf('a.log:1:');
    const b = r.stdout.indexOf('b.log:1:');
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(a);
    expect(r.stdout).toContain(`c.log skipped: does not match filename_match`);
    expect(r.stdout).not.toContain('c.log:1:');
    expect(summaryValue(r.stdout, 'files')).toBe('2');
    expect(summaryValue(r.stdout, 'lines read')).toBe('4');
    expect(summaryValue(r.stdout, 'too long')).toBe('1');
  });

  it('exits 1 when no file matches the globs', async () => {
    const empty = path.join(sub, 'empty.conf');
    writeFileSync(empty, readFileSync(conf, 'utf8').replace('./logs/*.log', './nothing/*.log'));
    const r = await runCli(['-c', empty, '--test-parser', 'two']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('no file matches');
  });
});

describe('--test-parser display', () => {
  it('shows a window around the failure column of a very long line, caret under the right character', async () => {
    const long = GOOD.replace('[c:getUser]', `[c:${'u'.repeat(900)}]`).replace('(20)', '(y)');
    const r = await runCli(['-c', REST, '--test-parser', 'rest.api', '--input', '-'], { input: long + '\n' });
    const col = long.indexOf('(y)') + 2;
    const b = block(r.stdout, '<stdin>:1:');
    expect(b[0]).toBe(`<stdin>:1: no match at column ${col}: piece 5/10 "call time 6" (config line 10)`);
    const shown = b[1]!.slice(4);
    expect(shown.length).toBeLessThanOrEqual(242);
    expect(shown.startsWith('…')).toBe(true);
    const caret = b[2]!.indexOf('^') - 4;
    expect(shown[caret]).toBe('y');
    expect(shown.slice(caret - 5, caret + 5)).toBe(long.slice(col - 6, col + 4));
    expect(b[3]).toMatch(new RegExp(`^    \\(characters \\d+-\\d+ of ${long.length}\\)$`));
  });

  it('colours with FORCE_COLOR, not with NO_COLOR', async () => {
    const input = `${GOOD.replace('(20)', '(x)')}\n`;
    const coloured = await runCli(['-c', REST, '--test-parser', 'rest.api', '--input', '-'], { input, env: { FORCE_COLOR: '1' } });
    expect(coloured.stdout).toMatch(/\x1b\[31mno match\x1b\[39m/);
    expect(coloured.stdout).toMatch(/\x1b\[32m.*\x1b\[39m/); // the matched part of the line in green
    const plain = await runCli(['-c', REST, '--test-parser', 'rest.api', '--input', '-'], { input, env: { NO_COLOR: '1', FORCE_COLOR: '' } });
    expect(plain.stdout).not.toMatch(/\x1b\[/);
  });

  it('shows control characters as one printable cell, so the caret stays aligned', async () => {
    const line = GOOD.replace('[INFO]', '[IN\tFO]').replace('(20)', '(x)');
    const r = await runCli(['-c', REST, '--test-parser', 'rest.api', '--input', '-'], { input: line + '\n' });
    const b = block(r.stdout, '<stdin>:1:');
    expect(b[1]).toContain('[IN\u2409FO]');
    const caret = b[2]!.indexOf('^');
    expect(b[1]![caret]).toBe('x');
  });
});
