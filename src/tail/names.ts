// File names are bytes. One that is valid UTF-8 is a plain string; one that is not is shown (and
// matched against globs) with each byte of an invalid sequence as \xNN, and opened by its bytes.

const strict = new TextDecoder('utf-8', { fatal: true });

export function isUtf8(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) {
    if (b[i]! >= 0x80) {
      try { strict.decode(b); return true; } catch { return false; }
    }
  }
  return true;
}

/** A file name for display and matching: UTF-8 as it is, each byte of an invalid sequence as \xNN. */
export function displayName(b: Buffer): string {
  if (isUtf8(b)) return b.toString('utf8');
  let out = '';
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    const len = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (len > 0 && i + len <= b.length && isUtf8(b.subarray(i, i + len))) {
      out += b.toString('utf8', i, i + len);
      i += len;
    } else {
      out += '\\x' + c.toString(16).padStart(2, '0');
      i++;
    }
  }
  return out;
}

/** A path as shown, and as the file system takes it (a Buffer once a component is not UTF-8). */
export interface PathPair {
  text: string;
  fs: string | Buffer;
}

export function joinName(dir: PathPair, name: Buffer, text = displayName(name)): PathPair {
  const sep = dir.text.endsWith('/') ? '' : '/';
  if (typeof dir.fs === 'string' && isUtf8(name)) return { text: dir.text + sep + text, fs: dir.fs + sep + text };
  const parent = typeof dir.fs === 'string' ? Buffer.from(dir.fs) : dir.fs;
  return { text: dir.text + sep + text, fs: Buffer.concat([parent, Buffer.from(sep), name]) };
}

export function joinText(dir: PathPair, name: string): PathPair {
  const sep = dir.text.endsWith('/') ? '' : '/';
  return { text: dir.text + sep + name, fs: typeof dir.fs === 'string' ? dir.fs + sep + name : Buffer.concat([dir.fs, Buffer.from(sep + name)]) };
}
