// Lines of a file or of stdin for --test-parser, with their line numbers. The same splitting as the
// tailer (src/tail/reader.ts): on '\n', one trailing '\r' removed, decoded as UTF-8 (invalid bytes
// become U+FFFD), a line longer than max_line_bytes skipped whole (reported with its first bytes),
// and a last line without its newline emitted at the end (as --once does).
import type { Readable } from 'node:stream';

export interface InputLine {
  no: number;            // 1-based line number in its input
  text: string;          // the line, or its first bytes when tooLong
  tooLong: boolean;
  bytes: number;         // length in bytes (without '\n' and a trailing '\r')
}

const HEAD_BYTES = 512;

/** Yields the lines of `stream` in batches (one per chunk read). `onBytes` gets each chunk's size. */
export async function* readLines(stream: Readable, maxLineBytes: number, onBytes?: (n: number) => void): AsyncGenerator<InputLine[]> {
  let no = 0;
  let carry: Buffer[] = [];
  let carryLen = 0;
  let skipping = false;      // inside a line already known to be too long
  let skipHead = '';
  let skipLen = 0;

  const strip = (b: Buffer, s: number, e: number): number => (e > s && b[e - 1] === 13 ? e - 1 : e);

  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (onBytes) onBytes(buf.length);
    const out: InputLine[] = [];
    let pos = 0;
    while (pos < buf.length) {
      const nl = buf.indexOf(0x0a, pos);
      if (nl < 0) {
        // partial line: keep it (or count it, once too long)
        if (skipping) skipLen += buf.length - pos;
        else {
          carry.push(buf.subarray(pos));
          carryLen += buf.length - pos;
          if (carryLen > maxLineBytes + 1) {
            const whole = Buffer.concat(carry, carryLen);
            skipping = true;
            skipHead = whole.toString('utf8', 0, Math.min(HEAD_BYTES, whole.length));
            skipLen = carryLen;
            carry = [];
            carryLen = 0;
          }
        }
        break;
      }
      no++;
      if (skipping) {
        skipLen += nl - pos;
        const len = skipLen - (nl > pos ? (buf[nl - 1] === 13 ? 1 : 0) : 0);
        out.push({ no, text: skipHead, tooLong: true, bytes: len });
        skipping = false;
        skipHead = '';
        skipLen = 0;
      } else if (carryLen > 0) {
        carry.push(buf.subarray(pos, nl));
        const whole = Buffer.concat(carry, carryLen + nl - pos);
        carry = [];
        carryLen = 0;
        const e = strip(whole, 0, whole.length);
        if (e > maxLineBytes) out.push({ no, text: whole.toString('utf8', 0, Math.min(HEAD_BYTES, e)), tooLong: true, bytes: e });
        else out.push({ no, text: whole.toString('utf8', 0, e), tooLong: false, bytes: e });
      } else {
        const e = strip(buf, pos, nl);
        if (e - pos > maxLineBytes) out.push({ no, text: buf.toString('utf8', pos, pos + HEAD_BYTES), tooLong: true, bytes: e - pos });
        else out.push({ no, text: buf.toString('utf8', pos, e), tooLong: false, bytes: e - pos });
      }
      pos = nl + 1;
    }
    if (out.length > 0) yield out;
  }
  // the last line, without its newline
  if (skipping) {
    yield [{ no: no + 1, text: skipHead, tooLong: true, bytes: skipLen }];
  } else if (carryLen > 0) {
    const whole = Buffer.concat(carry, carryLen);
    const e = strip(whole, 0, whole.length);
    if (e > maxLineBytes) yield [{ no: no + 1, text: whole.toString('utf8', 0, Math.min(HEAD_BYTES, e)), tooLong: true, bytes: e }];
    else yield [{ no: no + 1, text: whole.toString('utf8', 0, e), tooLong: false, bytes: e }];
  }
}
