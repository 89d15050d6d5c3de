// OpenTSDB's tag character set: a-z A-Z 0-9 - _ . / and Unicode letters. Anything else (space,
// newline, '=', '%', control bytes, U+FFFD) becomes '_', and an empty value becomes '_', so nothing a
// log line contains can inject a tag, a key or a second `put`.

const ALLOWED = /^[A-Za-z0-9\-_./]*$/;
const BAD = /[^A-Za-z0-9\-_./\p{L}]/gu;

export function sanitizeTagValue(v: string): string {
  if (v.length === 0) return '_';
  if (ALLOWED.test(v)) return v;
  return v.replace(BAD, '_');
}

/** Metric names and tag names use the same character set (checked when the config loads). */
export function isValidName(v: string): boolean {
  return v.length > 0 && !/[^A-Za-z0-9\-_./\p{L}]/u.test(v);
}

/** OpenTSDB limits: at most 8 tags, and a line of at most 1024 bytes counting "put " but not the newline. */
export const MAX_TAGS = 8;
export const MAX_LINE_BYTES = 1024;
