// Snappy block compression: whatever goes in comes back out of an independent decoder, over
// random, repetitive and mixed inputs around the 64 KiB block size; repetitive input shrinks.
import { describe, expect, it } from 'vitest';
import { compress, maxCompressedLength } from '../../../src/output/format/snappy.js';
import { uncompress } from '../../helpers/snappy.js';

function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sample(kind: 'random' | 'repeat' | 'mixed' | 'text', n: number, seed: number): Buffer {
  const r = prng(seed);
  const b = Buffer.alloc(n);
  const words = ['__name__', 'rest_api_executions_count', 'call', 'getUser', 'host', 'rest1.mynetwork', 'resource', 'local'];
  let i = 0;
  while (i < n) {
    if (kind === 'random' || (kind === 'mixed' && r() < 0.3)) { b[i++] = Math.floor(r() * 256); continue; }
    if (kind === 'repeat') { b[i] = b[i - 97] ?? 7; i++; continue; }
    const w = words[Math.floor(r() * words.length)]!;
    i += b.write(w, i);
  }
  return b;
}

describe('snappy compress', () => {
  const sizes = [0, 1, 4, 15, 16, 17, 100, 4096, 65535, 65536, 65537, 200_000];
  for (const kind of ['random', 'repeat', 'mixed', 'text'] as const) {
    it(`round-trips ${kind} input of ${sizes.length} sizes across block boundaries`, () => {
      sizes.forEach((n, k) => {
        const input = sample(kind, n, 17 + k);
        const c = compress(input);
        expect(c.length).toBeLessThanOrEqual(maxCompressedLength(n));
        expect(uncompress(c).equals(input), `${kind} ${n}`).toBe(true);
      });
    });
  }

  it('shrinks repetitive input (labels repeat in a remote write request)', () => {
    const input = sample('text', 100_000, 3);
    expect(compress(input).length).toBeLessThan(input.length / 3);
    const rep = sample('repeat', 100_000, 3);
    expect(compress(rep).length).toBeLessThan(rep.length / 15);
  });

  it('writes the uncompressed length as a varint first', () => {
    const c = compress(Buffer.alloc(300, 1));
    expect([c[0], c[1]]).toEqual([0xac, 0x02]);   // 300
    expect(compress(Buffer.alloc(0))).toEqual(Buffer.from([0]));
  });
});
