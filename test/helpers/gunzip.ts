// The oracle for damaged gzip files: what a gunzip fed one byte at a time outputs before it fails
// (Node's own stream, driven so that no output of the failing step is lost).
import * as zlib from 'node:zlib';

export async function gunzipByteAtATime(data: Buffer): Promise<Buffer> {
  const z = zlib.createGunzip();
  const out: Buffer[] = [];
  z.on('data', (b: Buffer) => out.push(b));
  let failed = false;
  let settle: (() => void) | null = null;
  z.on('error', () => { failed = true; settle?.(); });
  for (let i = 0; i < data.length && !failed; i++) await new Promise<void>((r) => { settle = r; z.write(data.subarray(i, i + 1), () => r()); });
  if (!failed) await new Promise<void>((r) => { settle = r; z.end(() => r()); }); // the trailer's check
  z.destroy();
  return Buffer.concat(out);
}
