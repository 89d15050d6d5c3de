// Compiled line regexes. `js` is V8's irregexp (cli.ts switches on V8's linear-time fallback for
// excessive backtracking before anything is compiled); `re2` is the optional `re2` package.
import { createRequire } from 'node:module';

export interface Matcher {
  /** The match groups (index 0 = whole match) or null. Entries are undefined for groups that did not take part. */
  exec(line: string): ArrayLike<string | undefined> | null;
  readonly source: string;
}

type Re2Ctor = new (src: string, flags?: string) => { exec(s: string): RegExpExecArray | null; source: string };
let re2Ctor: Re2Ctor | null | undefined;

/** The `re2` constructor, or null when the optional native module is not installed. */
export function loadRe2(): Re2Ctor | null {
  if (re2Ctor === undefined) {
    try {
      re2Ctor = createRequire(import.meta.url)('re2') as Re2Ctor;
    } catch {
      re2Ctor = null;
    }
  }
  return re2Ctor;
}

export function compileMatcher(source: string, engine: 'js' | 're2'): Matcher {
  if (engine === 're2') {
    const RE2 = loadRe2();
    if (!RE2) throw new Error('regex_engine re2 is not available: the optional "re2" package is not installed');
    return new RE2(source, 'u');
  }
  return new RegExp(source);
}

/** Number of capture groups of a compiled regex source. */
export function groupCount(source: string, engine: 'js' | 're2'): number {
  const m = compileMatcher(source + '|', engine).exec('');
  return m ? m.length - 1 : 0;
}
