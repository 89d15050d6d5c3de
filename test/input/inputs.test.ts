// A run's inputs behind one face (src/input/inputs.ts): --once reads files, then journals, then
// standard input; standard input goes to every group reading it, each after the previous one's
// backpressure; journal cursors for the checkpoint; the daemon ends with standard input only when
// it is its only input. Real files, real journal files (systemd-journal-remote), a real stream.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import type { LogGroup } from '../../src/config/types.js';
import type { LineBatch } from '../../src/core/types.js';
import { Inputs, type InputsOptions } from '../../src/input/inputs.js';
import { Registry } from '../../src/selfstats/registry.js';
import { unitEntries, writeJournal } from '../helpers/journal.js';
import { RecordingLog, sleep, tempDir, waitFor } from './journal/helpers.js';

const T0 = 1_767_225_600_000_000;
let dir: string;
beforeAll(() => {
  dir = tempDir('inputs-');
  writeJournal(path.join(dir, 'j'), unitEntries('a.service', 5, (i) => `entry ${i}`, T0));
  fs.writeFileSync(path.join(dir, 'f.log'), 'file 1\nfile 2\n');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function groups(text: string): LogGroup[] {
  const r = parseConfigText(text, path.join(dir, 'c.conf'));
  expect(r.issues).toEqual([]);
  return r.config!.groups;
}

const rest = `re: ['^(\\w+)'], expected_matches: 1, date: { position: 1, format: unix }, key_prefix: k,
  metrics: { counter: [ { key_suffix: n, reference: [ [0, ""] ] } ] }`;

function inputs(gs: LogGroup[], o: Partial<InputsOptions> & { sink: InputsOptions['sink'] }) {
  const stdin = new PassThrough();
  const x = new Inputs(gs, {
    once: true, parseFromStart: false, stdinOnly: false, pollIntervalSec: 1, maxLineBytes: 1 << 20,
    log: new RecordingLog(), registry: new Registry(), cursor: () => undefined, stdin, ...o,
  });
  return { x, stdin };
}

describe('Inputs', () => {
  it('--once: the files, then the journal, then standard input, whatever order they are ready in', async () => {
    const seen: string[] = [];
    const gs = groups(`{ both: { files: ["./f.log", "-"], journal: { directory: "./j" }, ${rest} } }`);
    const { x, stdin } = inputs(gs, { sink: (g, b) => { seen.push(...b.lines.map((l) => `${g}:${b.path}:${l}`)); } });
    stdin.end('piped 1\npiped 2');
    await x.start();
    await x.done;
    expect(seen).toEqual([
      `both:${path.join(dir, 'f.log')}:file 1`, `both:${path.join(dir, 'f.log')}:file 2`,
      ...[0, 1, 2, 3, 4].map((i) => `both:journal:${path.join(dir, 'j')}:entry ${i}`),
      'both:-:piped 1', 'both:-:piped 2',
    ]);
    // the cursor after the last entry, for the checkpoint
    expect(x.cursors()).toEqual([{ group: 'both', source: `journal:${path.join(dir, 'j')}`, cursor: expect.stringMatching(/^s=[0-9a-f]+;i=5;/) }]);
  });

  it('standard input goes to every group reading it, the next group only once the previous one\'s backpressure is released', async () => {
    const gs = groups(`{ a: { files: ["-"], ${rest} }, b: { files: ["-"], ${rest} }, c: { files: ["./f.log"], ${rest} } }`);
    const order: string[] = [];
    let release!: () => void;
    const { x, stdin } = inputs(gs, {
      once: false,
      sink: (g, b: LineBatch) => {
        if (b.path !== '-') return;
        order.push(`${g}:${b.lines.join(',')}`);
        if (g === 'a' && order.length === 1) return new Promise<void>((r) => { release = r; });
      },
    });
    await x.start();
    stdin.write('one\n');
    await waitFor(() => order.length > 0, 'the first batch');
    await sleep(20); // room for a wrong implementation to hand it to b already
    expect(order).toEqual(['a:one']);
    release();
    await waitFor(() => order.length > 1, 'b to get it');
    stdin.end('two\n');
    await waitFor(() => order.length > 3, 'the second batch');
    expect(order).toEqual(['a:one', 'b:one', 'a:two', 'b:two']);
    // group c reads a file: the daemon goes on after the end of standard input
    const ended = await Promise.race([x.done.then(() => 'done'), sleep(100).then(() => 'running')]);
    expect(ended).toBe('running');
    await x.stop();
  });

  it('the daemon reading only standard input is done at its end', async () => {
    const gs = groups(`{ a: { files: ["-"], ${rest} } }`);
    const lines: string[] = [];
    const { x, stdin } = inputs(gs, { once: false, sink: (_g, b) => { lines.push(...b.lines); } });
    await x.start();
    stdin.end('x\ny\n');
    await x.done;
    expect(lines).toEqual(['x', 'y']);
    await x.stop();
  });

  it('the daemon with --input - is done at the end of standard input, though its groups list files', async () => {
    const gs = groups(`{ a: { files: ["./f.log"], ${rest} } }`);
    const { x, stdin } = inputs(gs, { once: false, stdinOnly: true, sink: () => undefined });
    await x.start();
    stdin.end('x\n');
    await x.done;
    await x.stop();
  });

  it('--input -: every group reads standard input, no file and no journal', async () => {
    const gs = groups(`{ a: { files: ["./f.log"], ${rest} }, j: { journal: { directory: "./j" }, ${rest} } }`);
    const seen: string[] = [];
    const { x, stdin } = inputs(gs, { stdinOnly: true, sink: (g, b) => { seen.push(...b.lines.map((l) => `${g}:${b.path}:${l}`)); } });
    stdin.end('p\n');
    await x.start();
    await x.done;
    expect(seen).toEqual(['a:-:p', 'j:-:p']);
    expect(x.cursors()).toEqual([]);
  });
});
