// The plain-data state of a HyperLogLog sketch (hll.ts), for checkpoints: compact, canonical (the
// same values give the same state, whatever their order), and checked on the way back in, so a
// damaged checkpoint is an error, never a sketch with impossible registers.
//
// - sparse: the 53-bit hashes, ascending, 7 bytes each (the high 32 bits, then the 21 low ones),
//   big-endian, base64: 70 bytes for 10 values.
// - dense: register i's offset from `min` (the smallest register) in nibble i, low nibble first,
//   base64 (2^p / 2 bytes: 8 KB at p = 14); offsets of 15 or more are 15 there and exact in `aux`
//   as [index, value], ascending.
// The binary form (checkpoints, writeHll/readHll) holds the same bytes without base64: p, a form
// byte, then the sparse hashes (count, 7 bytes each), or `min`, the nibbles and the aux pairs.
import type { DenseRegisters } from './hll-dense.js';
import { DecodeError, type ByteReader, type ByteWriter } from '../core/bytes.js';

export type HllState =
  | { p: number; sparse: string }
  | { p: number; dense: string; min: number; aux: Array<[number, number]> };

/** A state read back: the sparse table's keys (hash + 1), or every register's value. */
export type ReadState = { p: number; keys: number[]; values?: undefined } | { p: number; keys?: undefined; values: Uint8Array };

const LO_SPAN = 2 ** 21;

const bad = (what: string): Error => new DecodeError(`invalid HyperLogLog state: ${what}`);
const SPARSE = 0;
const DENSE = 1;
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const nibble = (b: Buffer | Uint8Array, i: number): number => (b[i >>> 1]! >>> ((i & 1) << 2)) & 15;

/** State of a sparse sketch from its table (slots hold hash + 1, 0 = empty). */
export function sparseState(p: number, table: readonly number[]): HllState {
  return { p, sparse: sparseBytes(table).toString('base64') };
}

export function denseState(p: number, d: DenseRegisters): HllState {
  const { nibbles, aux } = denseParts(d);
  return { p, dense: Buffer.from(nibbles.buffer).toString('base64'), min: d.curMin, aux };
}

/** Writes a sketch's state in binary: a sparse table (slots hold hash + 1, 0 = empty) or registers. */
export function writeHll(w: ByteWriter, p: number, table: readonly number[] | null, d: DenseRegisters | null): void {
  w.u8(p);
  if (d === null) {
    const buf = sparseBytes(table ?? []);
    w.u8(SPARSE);
    w.u32(buf.length / 7);
    w.bytes(buf);
    return;
  }
  const { nibbles, aux } = denseParts(d);
  w.u8(DENSE);
  w.u8(d.curMin);
  w.bytes(nibbles);
  w.u32(aux.length);
  for (const [i, v] of aux) { w.u32(i); w.u8(v); }
}

/** Reads what writeHll() wrote; throws on anything a sketch could not have written. */
export function readHll(r: ByteReader): ReadState {
  const p = r.u8();
  const form = r.u8();
  if (form === SPARSE) return { p, keys: readSparse(r.bytes(7 * r.u32())) };
  if (form !== DENSE) throw bad('form');
  if (p < 4 || p > 18) throw bad('p');
  const min = r.u8();
  const nibbles = r.bytes(2 ** p / 2);
  const n = r.u32();
  if (n > 2 ** p) throw bad('aux length');
  const aux: Array<[number, number]> = [];
  for (let k = 0; k < n; k++) aux.push([r.u32(), r.u8()]);
  return { p, values: readDense(nibbles, min, aux, p) };
}

/** The sparse hashes, ascending, 7 bytes each. */
function sparseBytes(table: readonly number[]): Buffer {
  const keys = table.filter((k) => k !== 0).sort((a, b) => a - b);
  const buf = Buffer.alloc(keys.length * 7);
  keys.forEach((key, j) => {
    const hash = key - 1;
    const hi = Math.floor(hash / LO_SPAN);
    buf.writeUInt32BE(hi, j * 7);
    buf.writeUIntBE(hash - hi * LO_SPAN, j * 7 + 4, 3);
  });
  return buf;
}

function denseParts(d: DenseRegisters): { nibbles: Uint8Array; aux: Array<[number, number]> } {
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
  return { nibbles, aux };
}

/** Checks a state and decodes it; throws on anything a sketch could not have written. */
export function readState(state: HllState): ReadState {
  if (state === null || typeof state !== 'object' || !isInt(state.p)) throw bad('p');
  const p = state.p;
  if ('sparse' in state) {
    if (typeof state.sparse !== 'string') throw bad('sparse');
    return { p, keys: readSparse(Buffer.from(state.sparse, 'base64')) };
  }
  if ('dense' in state) {
    if (p < 4 || p > 18) throw bad('p');
    if (typeof state.dense !== 'string') throw bad('dense');
    if (!Array.isArray(state.aux)) throw bad('aux');
    return { p, values: readDense(Buffer.from(state.dense, 'base64'), state.min, state.aux, p) };
  }
  throw bad('neither sparse nor dense');
}

function readSparse(buf: Buffer): number[] {
  if (buf.length % 7 !== 0) throw bad('sparse length');
  const keys: number[] = [];
  for (let j = 0; j < buf.length; j += 7) {
    const lo = buf.readUIntBE(j + 4, 3);
    if (lo >= LO_SPAN) throw bad('sparse hash');
    keys.push(buf.readUInt32BE(j) * LO_SPAN + lo + 1);
  }
  return keys;
}

function readDense(nibbles: Buffer, min: unknown, aux: readonly unknown[], p: number): Uint8Array {
  const m = 2 ** p;
  const top = 54 - p; // the largest register value: q + 1
  if (nibbles.length !== m >>> 1) throw bad('dense length');
  if (!isInt(min) || min < 0 || min > top) throw bad('min');
  const values = new Uint8Array(m);
  for (let i = 0; i < m; i++) {
    const off = nibble(nibbles, i);
    if (off < 15 && min + off > top) throw bad('register');
    values[i] = off === 15 ? 0 : min + off;
  }
  for (const e of aux) {
    const [i, v] = Array.isArray(e) && e.length === 2 ? (e as unknown[]) : [];
    if (!isInt(i) || i < 0 || i >= m || nibble(nibbles, i) !== 15) throw bad('aux index');
    if (!isInt(v) || v < min + 15 || v > top) throw bad('aux value');
    values[i] = v;
  }
  for (let i = 0; i < m; i++) if (values[i] === 0 && nibble(nibbles, i) === 15) throw bad('aux missing');
  return values;
}
