import { describe, expect, it } from 'vitest';
import { fieldNameProblem, journalctlArgs, matchProblems } from '../../../src/input/journal/command.js';

describe('journalctlArgs', () => {
  const spec = { matches: ['_SYSTEMD_UNIT=nginx.service', '+', 'SYSLOG_IDENTIFIER=nginx'], directory: '/j', fields: ['_HOSTNAME', 'PRIORITY'] };
  const head = ['--output=export', '--all', '--no-pager', '--directory=/j', '--output-fields=MESSAGE,_HOSTNAME,PRIORITY'];
  const tail = ['--', '_SYSTEMD_UNIT=nginx.service', '+', 'SYSLOG_IDENTIFIER=nginx'];

  it('reads from a cursor with --cursor, follows with --lines=all and (for a directory) --merge', () => {
    expect(journalctlArgs(spec, { kind: 'read', from: null })).toEqual([...head, ...tail]);
    expect(journalctlArgs(spec, { kind: 'read', from: 's=1;i=2' })).toEqual([...head, '--cursor=s=1;i=2', ...tail]);
    expect(journalctlArgs(spec, { kind: 'follow', from: 'c' })).toEqual([...head, '--follow', '--lines=all', '--merge', '--cursor=c', ...tail]);
    expect(journalctlArgs({ ...spec, directory: null }, { kind: 'follow', from: null })).toEqual(
      [...head.filter((a) => !a.startsWith('--directory')), '--follow', '--lines=all', ...tail]);
    expect(journalctlArgs(spec, { kind: 'last', entries: 20 })).toEqual([...head, '--lines=20', ...tail]);
    expect(journalctlArgs(spec, { kind: 'lastCursor' })).toEqual([...head, '--lines=1', ...tail]);
  });
});

describe('matches and field names', () => {
  it('accepts FIELD=value and + between matches', () => {
    expect(matchProblems(['_SYSTEMD_UNIT=a.service', 'PRIORITY=3', '+', 'MESSAGE=a=b'])).toEqual([]);
  });

  it('names what is wrong, by index', () => {
    expect(matchProblems(['+', 'unit=x', 'nginx', 'A=1', '+', '+', 'B=2', '+'])).toEqual([
      { index: 0, message: '"+" (OR) must stand between two matches' },
      { index: 1, message: 'the field name "unit" is not a journal field name (upper-case letters, digits and _, not starting with a digit)' },
      { index: 2, message: '"nginx" is not a match: write FIELD=value (e.g. _SYSTEMD_UNIT=nginx.service), or "+" between two groups of matches' },
      { index: 5, message: '"+" (OR) must stand between two matches' },
      { index: 7, message: '"+" (OR) must stand between two matches' },
    ]);
    expect(fieldNameProblem('1ABC')).toMatch(/not a journal field name/);
    expect(fieldNameProblem('A'.repeat(65))).toMatch(/longer than 64/);
    expect(fieldNameProblem('__REALTIME_TIMESTAMP')).toBeNull();
  });
});
