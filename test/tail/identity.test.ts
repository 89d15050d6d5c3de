// The ledger of finished files: same file by inode and first bytes; copies by content, from 1 KB of
// matching content; bounded.
import { describe, expect, it } from 'vitest';
import { ALL_READ, Ledger, MIN_COPY_MATCH, type FileRecord } from '../../src/tail/identity.js';
import { FINGERPRINT_BYTES, fingerprint } from '../../src/tail/fingerprint.js';

const content = (tag: string, n: number) => Buffer.from(Array.from({ length: n }, (_, i) => `${tag} line ${i}\n`).join(''));
const rec = (data: Buffer, o: Partial<FileRecord> = {}): FileRecord => ({
  path: '/x', dev: 1, ino: 10, fingerprint: fingerprint(data.subarray(0, FINGERPRINT_BYTES)), offset: data.length, done: true, compressed: false, ...o,
});

describe('Ledger', () => {
  it('finds the same file by inode and head, not a file reusing the inode with other content, nor one truncated below the offset', () => {
    const l = new Ledger();
    const data = content('a', 500);
    l.add(rec(data));
    expect(l.sameFile(1, 10, data, data.length, false)?.offset).toBe(data.length);
    expect(l.sameFile(1, 10, content('b', 500), data.length, false)).toBeUndefined();
    expect(l.sameFile(1, 11, data, data.length, false)).toBeUndefined();
    expect(l.sameFile(1, 10, data, data.length - 1, false)).toBeUndefined();
  });

  it('recognises a copy (more content after the same first bytes) and says how far it was read', () => {
    const l = new Ledger();
    const data = content('a', 800);
    l.add(rec(data.subarray(0, 20_000 > data.length ? data.length : 20_000), { ino: 10 }));
    const longer = Buffer.concat([data, content('more', 10)]);
    expect(l.copyOf(longer)?.offset).toBe(data.length);
    expect(l.copyOf(content('b', 800))).toBeUndefined();
  });

  it('needs MIN_COPY_MATCH bytes: two logs with the same short header are not copies', () => {
    const l = new Ledger();
    const header = Buffer.from('#Version: 1.0\n#Fields: date time cs-method\n');
    l.add(rec(header));
    expect(l.copyOf(Buffer.concat([header, content('other', 100)]))).toBeUndefined();
    const long = content('h', 200);
    expect(long.length).toBeGreaterThan(MIN_COPY_MATCH);
    l.add(rec(long, { ino: 12 }));
    expect(l.copyOf(Buffer.concat([long, content('x', 3)]))?.ino).toBe(12);
  });

  it('a compressed file taken as read whole (ALL_READ), and a bound on what it remembers', () => {
    const l = new Ledger(3);
    for (let i = 0; i < 5; i++) l.add(rec(content(`f${i}`, 300), { ino: 100 + i, offset: ALL_READ, compressed: true }));
    expect(l.size).toBe(3);
    expect(l.all().map((r) => r.ino)).toEqual([102, 103, 104]);
    expect(l.sameFile(1, 104, content('f4', 300), 5, true)?.offset).toBe(ALL_READ);
  });
});
