// Standard input: a file piped through a real pipe gives exactly the file reader's lines.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StdinSource } from '../../src/input/stdin.js';
import { FileReader } from '../../src/tail/reader.js';
import { Registry } from '../../src/selfstats/registry.js';
import type { LineBatch } from '../../src/core/types.js';
import { RecordingLog } from './journal/helpers.js';

let dir: string;
let file: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stdin-'));
  file = path.join(dir, 'in.log');
  const lines: string[] = [];
  for (let i = 0; i < 60_000; i++) lines.push(i % 5000 === 17 ? 'L'.repeat(3000) : `Feb  8 04:00:${String(i % 60).padStart(2, '0')} line ${i} \xe9${i % 7 === 0 ? '\r' : ''}`);
  fs.writeFileSync(file, Buffer.concat([Buffer.from(lines.join('\n') + '\n', 'latin1'), Buffer.from('partial last line')]));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function fileLines(p: string, max: number): { lines: string[]; skipped: number } {
  const { reader } = FileReader.open(p, { maxLineBytes: max }, { from: 'start' });
  const out = { lines: [] as string[], skipped: 0 };
  const add = (b: LineBatch | null) => { if (b) { out.lines.push(...b.lines); out.skipped += b.skippedLong; } };
  for (let r = reader.readChunk(); r.n > 0; r = reader.readChunk()) add(r.batch);
  add(reader.flushPartial());
  reader.close();
  return out;
}

/** `cat FILE` into a pipe read by a StdinSource. */
function pipeThrough(p: string, max: number, sink: (b: LineBatch) => void | Promise<void>) {
  const cat = spawn('cat', [p], { stdio: ['ignore', 'pipe', 'inherit'] });
  const log = new RecordingLog();
  const registry = new Registry();
  const src = new StdinSource({ stream: cat.stdout, groups: ['g'], maxLineBytes: max, sink, log, registry });
  src.start();
  return { src, log, registry };
}

describe('StdinSource', () => {
  it('a file piped through it gives exactly the file reader\'s lines, the partial last line at the end', async () => {
    const want = fileLines(file, 2048);
    expect(want.skipped).toBe(12);
    const got: string[] = [];
    let skipped = 0;
    let end = 0;
    const { src, log, registry } = pipeThrough(file, 2048, (b) => {
      expect(b.startOffset).toBe(end);
      end = b.endOffset;
      got.push(...b.lines);
      skipped += b.skippedLong;
    });
    await src.done;
    expect(got).toEqual(want.lines);
    expect(got.at(-1)).toBe('partial last line');
    expect(skipped).toBe(12);
    expect(end).toBe(fs.statSync(file).size);
    expect(registry.all().find((s) => s.name === 'tail.line_read')!.value).toBe(want.lines.length);
    expect(log.warnings()).toContain('line longer than max_line_bytes skipped');
  });

  it('backpressure: nothing is handed on while the sink\'s promise is pending, and nothing is lost', async () => {
    const want = fileLines(file, 2048).lines;
    const got: string[] = [];
    let holding = false;
    let overlapped = false;
    let calls = 0;
    const { src } = pipeThrough(file, 2048, (b) => {
      if (holding) overlapped = true;
      got.push(...b.lines);
      if (calls++ % 3 !== 0) return;
      holding = true;
      return new Promise<void>((res) => setTimeout(() => { holding = false; res(); }, 20));
    });
    await src.done;
    expect(overlapped).toBe(false);
    expect(got).toEqual(want);
  });

  it('a sink that throws ends it with that error', async () => {
    const { src } = pipeThrough(file, 2048, () => { throw new Error('boom'); });
    await expect(src.done).rejects.toThrow('boom');
  });
});
