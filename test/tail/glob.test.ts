import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandGlob, globBase, globToRegExp, hasMagic } from '../../src/tail/glob.js';
import { rmrf, tempDir } from './helpers/util.js';

let root: string;
const touch = (rel: string) => {
  const p = path.join(root, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, 'x\n');
};
const rel = (ps: string[]) => ps.map((p) => path.relative(root, p));

beforeAll(() => {
  root = tempDir('glob-');
  for (const f of ['a/x.log', 'a/y.txt', 'a/b.log', 'a/.hidden.log', 'a/sub/z.log', 'a/sub/deep/w.log',
    'c/one.log', 'c/two.log', 'c/x1.log', 'c/x2.log', 'c/xa.log', 'weird/star*.log', 'weird/q?.log', 'd/[x].log']) touch(f);
  fs.mkdirSync(path.join(root, 'a/dir.log')); // a directory matching *.log is not a file
  fs.symlinkSync(root, path.join(root, 'a/sub/loop'));              // directory symlink loop
  fs.symlinkSync(path.join(root, 'c'), path.join(root, 'linkc'));  // symlinked directory
  fs.symlinkSync(path.join(root, 'c/one.log'), path.join(root, 'a/link.log')); // symlink to a file
  fs.symlinkSync(path.join(root, 'nowhere'), path.join(root, 'a/dangling.log'));
});
afterAll(() => rmrf(root));

describe('expandGlob', () => {
  it('matches * in the last segment: regular files only, sorted, dotfiles included (as Go)', async () => {
    expect(rel(await expandGlob(path.join(root, 'a/*.log')))).toEqual(
      ['a/.hidden.log', 'a/b.log', 'a/link.log', 'a/x.log']);
  });

  it('matches ? and character classes, with ! and ^ negation', async () => {
    expect(rel(await expandGlob(path.join(root, 'c/x?.log')))).toEqual(['c/x1.log', 'c/x2.log', 'c/xa.log']);
    expect(rel(await expandGlob(path.join(root, 'c/x[0-9].log')))).toEqual(['c/x1.log', 'c/x2.log']);
    expect(rel(await expandGlob(path.join(root, 'c/x[!0-9].log')))).toEqual(['c/xa.log']);
    expect(rel(await expandGlob(path.join(root, 'c/x[^1].log')))).toEqual(['c/x2.log', 'c/xa.log']);
    expect(rel(await expandGlob(path.join(root, 'c/[ot]*.log')))).toEqual(['c/one.log', 'c/two.log']);
  });

  it('wildcards in directory segments, following a symlinked directory one level', async () => {
    expect(rel(await expandGlob(path.join(root, '*/one.log')))).toEqual(['c/one.log', 'linkc/one.log']);
  });

  it('** matches zero or more directories without following symlinks (no loop)', async () => {
    expect(rel(await expandGlob(path.join(root, 'a/**/*.log')))).toEqual(
      ['a/.hidden.log', 'a/b.log', 'a/link.log', 'a/sub/deep/w.log', 'a/sub/z.log', 'a/x.log']);
    expect(rel(await expandGlob(path.join(root, 'a/sub/**')))).toEqual(['a/sub/deep/w.log', 'a/sub/z.log']);
    expect(rel(await expandGlob(path.join(root, '**/w.log')))).toEqual(['a/sub/deep/w.log']);
    expect(rel(await expandGlob(path.join(root, 'a/**/**/z.log')))).toEqual(['a/sub/z.log']); // no duplicates
  });

  it('literal paths, escapes, unclosed brackets, missing directories', async () => {
    expect(rel(await expandGlob(path.join(root, 'a/x.log')))).toEqual(['a/x.log']);
    expect(await expandGlob(path.join(root, 'a/nope.log'))).toEqual([]);
    expect(await expandGlob(path.join(root, 'a/dir.log'))).toEqual([]);
    expect(await expandGlob(path.join(root, 'missing/*/x.log'))).toEqual([]);
    expect(rel(await expandGlob(path.join(root, 'weird/star\\*.log')))).toEqual(['weird/star*.log']);
    expect(rel(await expandGlob(path.join(root, 'weird/q\\?.log')))).toEqual(['weird/q?.log']);
    expect(rel(await expandGlob(path.join(root, 'd/\\[x].log')))).toEqual(['d/[x].log']);
    expect(rel(await expandGlob(path.join(root, 'd/[x.log')))).toEqual([]);
  });
});

describe('glob helpers', () => {
  it('hasMagic and globBase', () => {
    expect(hasMagic('a*')).toBe(true);
    expect(hasMagic('a\\*')).toBe(false);
    expect(hasMagic('[ab]')).toBe(true);
    expect(hasMagic('[ab')).toBe(false);
    expect(globBase('/var/log/*.log')).toBe('/var/log');
    expect(globBase('/var/log/app/x.log')).toBe('/var/log/app');
    expect(globBase('/var/*/app/x.log')).toBe('/var');
    expect(globBase('/var/log/**/x.log')).toBe('/var/log');
    expect(globBase('/*.log')).toBe('/');
  });

  it('globToRegExp matches what expandGlob would', () => {
    const re = globToRegExp('/var/log/*.log');
    expect(re.test('/var/log/a.log')).toBe(true);
    expect(re.test('/var/log/.a.log')).toBe(true);
    expect(re.test('/var/log/sub/a.log')).toBe(false);
    expect(re.test('/var/log/a.log.1')).toBe(false);
    const deep = globToRegExp('/var/**/x[0-9].log');
    expect(deep.test('/var/x1.log')).toBe(true);
    expect(deep.test('/var/a/b/x2.log')).toBe(true);
    expect(deep.test('/var/a/b/xa.log')).toBe(false);
    const all = globToRegExp('/var/**');
    expect(all.test('/var/a')).toBe(true);
    expect(all.test('/var/a/b')).toBe(true);
    expect(all.test('/var')).toBe(false);
    expect(globToRegExp('/a/b.c').test('/a/bxc')).toBe(false);
  });
});
