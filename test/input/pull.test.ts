import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { pullChunks } from '../../src/input/pull.js';

describe('pullChunks', () => {
  it('hands on one chunk at a time and ends only once the last chunk\'s promise has settled', async () => {
    const s = new PassThrough();
    const got: string[] = [];
    let release: (() => void) | null = null;
    let ended = false;
    const pull = pullChunks(s, (c) => {
      expect(release).toBeNull();
      got.push(c.toString());
      return new Promise<void>((res) => { release = () => { release = null; res(); }; });
    });
    void pull.done.then(() => { ended = true; });
    s.write('a');
    s.end();
    await new Promise((r) => setTimeout(r, 20));
    expect(got).toEqual(['a']);
    expect(ended).toBe(false); // 'end' has come, the chunk is still being consumed
    release!();
    await pull.done;
    expect(ended).toBe(true);
  });

  it('rejects with the consumer\'s error and destroys the stream', async () => {
    const s = new PassThrough();
    const pull = pullChunks(s, () => Promise.reject(new Error('no')));
    s.write('x');
    await expect(pull.done).rejects.toThrow('no');
    expect(s.destroyed).toBe(true);
  });
});
