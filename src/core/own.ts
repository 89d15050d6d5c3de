/**
 * A copy of a string that does not keep the log line it was cut from alive (V8 shares the parent of
 * substrings of 13 characters or more). Only for strings kept as map keys.
 */
export function own(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}
