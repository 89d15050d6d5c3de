// The plain-data state of a HyperLogLog sketch (hll.ts), for checkpoints: compact, canonical (the
// same values give the same state, whatever their order), and checked on the way back in, so a
// damaged checkpoint is an error, never a sketch with impossible registers.
//
// - sparse: the 53-bit hashes, ascending, 7 bytes each (the high 32 bits, then the 21 low ones),
//   big-endian, base64: 70 bytes for 10 values.
// - dense: register i's offset from `min` (the smallest register) in nibble i, low nibble first,
//   base64 (2^p / 2 bytes: 8 KB at p = 14); offsets of 15 or more are 15 there and exact in `aux`
//   as [index, value], ascending.
import type { DenseRegisters } from './hll-dense.js';

export type HllState =
  | { p: number; sparse: string }
  | { p: number; dense: string; min: number; aux: Array<[number, number]> };

/** A state read back: the sparse table's keys (hash + 1), or every register's value. */
export type ReadState = { p: number; keys: number[]; values?: undefined } | { p: number; keys?: undefined; values: Uint8Array };

const LO_SPAN = 2 ** 21;

const bad = (what: string): Error => new Error(`invalid HyperLogLog state: ${what}`);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const nibble = (b: Buffer | Uint8Array, i: number): number => (b[i >>> 1]! >>> ((i & 1) << 2)) & 15;

/** State of a sparse sketch from its table (slots hold hash + 1, 0 = empty). */
export function sparseState(p: number, table: readonly number[]): HllState {
  const keys = table.filter((k) => k !== 0).sort((a, b) => a - b);
  const buf = Buffer.alloc(keys.length * 7);
  keys.forEach((key, j) => {
    const hash = key - 1;
    const hi = Math.floor(hash / LO_SPAN);
    buf.writeUInt32BE(hi, j * 7);
    buf.writeUIntBE(hash - hi * LO_SPAN, j * 7 + 4, 3);
  });
  return { p, sparse: buf.toString('base64') };
}

export function denseState(p: number, d: DenseRegisters): HllState {
  const nibbles = new Uint8Array(d.m >>> 1);
  const aux: Array<[number, number]> = [];
  for (let i = 0; i < d.m; i++) {
    const v = d.get(i);
    let off = v - d.curMin;
    if (off >= 15) {
      off = 15;
      aux.push([i, v]);
    }
    nibbles[i >>> 1]! |= off << ((i & 1) << 2);
  }
  return { p, dense: Buffer.from(nibbles.buffer).toString('base64'), min: d.curMin, aux };
}

/** Checks a state and decodes it; throws on anything a sketch could not have written. */
export function readState(state: HllState): ReadState {
  if (state === null || typeof state !== 'object' || !isInt(state.p)) throw bad('p');
  const p = state.p;
  if ('sparse' in state) return { p, keys: readSparse(state.sparse) };
  if ('dense' in state) return { p, values: readDense(state, p) };
  throw bad('neither sparse nor dense');
}

function readSparse(text: unknown): number[] {
  if (typeof text !== 'string') throw bad('sparse');
  const buf = Buffer.from(text, 'base64');
  if (buf.length % 7 !== 0) throw bad('sparse length');
  const keys: number[] = [];
  for (let j = 0; j < buf.length; j += 7) {
    const lo = buf.readUIntBE(j + 4, 3);
    if (lo >= LO_SPAN) throw bad('sparse hash');
    keys.push(buf.readUInt32BE(j) * LO_SPAN + lo + 1);
  }
  return keys;
}

function readDense(state: { dense: unknown; min: unknown; aux: unknown }, p: number): Uint8Array {
  if (p < 4 || p > 18) throw bad('p');
  const m = 2 ** p;
  const top = 54 - p; // the largest register value: q + 1
  if (typeof state.dense !== 'string') throw bad('dense');
  const nibbles = Buffer.from(state.dense, 'base64');
  if (nibbles.length !== m >>> 1) throw bad('dense length');
  const min = state.min;
  if (!isInt(min) || min < 0 || min > top) throw bad('min');
  const values = new Uint8Array(m);
  for (let i = 0; i < m; i++) {
    const off = nibble(nibbles, i);
    if (off < 15 && min + off > top) throw bad('register');
    values[i] = off === 15 ? 0 : min + off;
  }
  if (!Array.isArray(state.aux)) throw bad('aux');
  for (const e of state.aux as unknown[]) {
    const [i, v] = Array.isArray(e) && e.length === 2 ? (e as unknown[]) : [];
    if (!isInt(i) || i < 0 || i >= m || nibble(nibbles, i) !== 15) throw bad('aux index');
    if (!isInt(v) || v < min + 15 || v > top) throw bad('aux value');
    values[i] = v;
  }
  for (let i = 0; i < m; i++) if (values[i] === 0 && nibble(nibbles, i) === 15) throw bad('aux missing');
  return values;
}
