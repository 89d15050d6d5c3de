import { readFileSync } from 'node:fs';

/** The package version, read from package.json next to the compiled program. */
export function version(): string {
  for (const rel of ['../../package.json', '../package.json']) {
    try {
      return (JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { version: string }).version;
    } catch { /* try the next layout */ }
  }
  return 'unknown';
}
