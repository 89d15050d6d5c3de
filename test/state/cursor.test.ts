// Journal cursors in the state file: written with each cut beside the files' positions, restored by
// group and source name, never taken for a file's position.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { COUNTER, group } from '../datapool/helpers.js';
import { run, tempDir, TAILS } from './helpers.js';
import { peekState } from '../../src/state/peek.js';

const G = group({ interval: 10 }, COUNTER);
let dir = '';
afterEach(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); dir = ''; });

const CURSOR = 's=68d3a5f62406420eae07a8b4b1acc9d9;i=32;b=0123456789abcdef0123456789abcdef;m=32;t=64748490bee40;x=7a7e1b24c640014d';

describe('journal cursors in the state file', () => {
  it('a cut records each journal source\'s cursor and newest time; a restart gets them back by group and source', async () => {
    dir = tempDir();
    const file = path.join(dir, 'state');
    const a = run(file, [G]);
    let cursor = 'first';
    a.cp.attach({ positions: () => TAILS.positions(), cursors: () => [{ group: 'g', source: 'journal:/j', cursor }] });
    await a.cp.save();
    cursor = CURSOR;
    await a.cp.save();
    const peek = peekState(file);
    expect(typeof peek === 'string' ? peek : peek.files).toEqual([
      { group: 'g', path: '/var/log/a.log', dev: 1, ino: 2, fingerprint: 'ab', offset: 100, newest: 1234, done: false, compressed: false },
      { group: 'g', path: 'journal:/j', cursor: CURSOR, newest: null },
    ]);
    const b = run(file, [G]);
    expect(b.cp.cursorOf('g', 'journal:/j')).toBe(CURSOR);
    expect(b.cp.cursorOf('g', 'journal')).toBeUndefined();
    expect(b.cp.cursorOf('other', 'journal:/j')).toBeUndefined();
    expect(b.cp.records.map((r) => r.path)).toEqual(['/var/log/a.log']);
  });

  it('a group the config no longer has keeps no cursor', async () => {
    dir = tempDir();
    const file = path.join(dir, 'state');
    const a = run(file, [G]);
    a.cp.attach({ positions: () => [], cursors: () => [{ group: 'g', source: 'journal', cursor: CURSOR }] });
    await a.cp.save();
    const b = run(file, [group({ interval: 10 }, COUNTER, '{ id: 2 }', 'h')]);
    expect(b.cp.cursorOf('g', 'journal')).toBeUndefined();
  });
});
