import { readFileSync } from 'node:fs';

/**
 * The package version, read from the package.json above the compiled program (build/dist/core/ in
 * the repo and in an npm install; the same tree under /usr/lib in the Debian package).
 */
export function version(): string {
  for (let up = '../'; up.length <= 4 * 3; up += '../') {
    try {
      const p = JSON.parse(readFileSync(new URL(up + 'package.json', import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (p.name === 'logmetrics-collector' && p.version) return p.version;
    } catch { /* not here: one level up */ }
  }
  return 'unknown';
}
