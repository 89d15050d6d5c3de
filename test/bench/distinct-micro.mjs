// Micro-benchmark of the distinct statistic (issue 24), on build/dist: updates per second of
// hash64 alone, of Distinct.update on one key going dense, and over 100,000 keys of 10 values each.
// `npm run build && node test/bench/distinct-micro.mjs`. Medians of 7 rounds; this host drifts, so
// compare figures taken in one run only.
import { getZone } from '../../build/dist/parse/date-zone.js';
import { Distinct } from '../../build/dist/stats/distinct.js';
import { hash64 } from '../../build/dist/stats/hash64.js';
import { WindowCalendar } from '../../build/dist/stats/window.js';

const N = 2_000_000;
const ids = Array.from({ length: N }, (_, i) => `req-${(Math.imul(i, 0x9e3779b1) >>> 0).toString(16)}-${i}`);
const ips = Array.from({ length: 1_000_000 }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
const cal = new WindowCalendar(getZone('UTC'), 1440);
const T0 = Date.UTC(2026, 2, 15) / 1000;

function median(f) {
  const rates = [];
  for (let r = 0; r < 7; r++) rates.push(f());
  rates.sort((a, b) => a - b);
  return rates[3];
}

function timed(n, body) {
  const t0 = process.hrtime.bigint();
  body();
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

const out = new Uint32Array(2);
const cases = {
  'hash64, request ids (~20 chars)': () => timed(N, () => { for (let i = 0; i < N; i++) hash64(ids[i], out); }),
  'Distinct.update, one key, 2M distinct ids (dense)': () => {
    const d = new Distinct(cal);
    return timed(N, () => { for (let i = 0; i < N; i++) d.add(ids[i], T0 + i / 100); });
  },
  'Distinct.update, one key, 10 ids repeated (sparse)': () => {
    const d = new Distinct(cal);
    return timed(N, () => { for (let i = 0; i < N; i++) d.add(ids[i % 10], T0 + i / 100); });
  },
  'Distinct.update, 100k new keys x 10 new IPs (first fill)': () => {
    const keys = Array.from({ length: 100_000 }, () => new Distinct(cal));
    return timed(1_000_000, () => { for (let i = 0; i < 1_000_000; i++) keys[i % 100_000].add(ips[i], T0 + i / 100); });
  },
  'Distinct.update, 100k keys x 10 IPs seen before': () => {
    const keys = Array.from({ length: 100_000 }, () => new Distinct(cal));
    for (let i = 0; i < 1_000_000; i++) keys[i % 100_000].add(ips[i], T0);
    return timed(1_000_000, () => { for (let i = 0; i < 1_000_000; i++) keys[i % 100_000].add(ips[i], T0 + i / 100); });
  },
  'Distinct.update, one key, 3 days of 2M ids (window closes)': () => {
    const d = new Distinct(cal);
    return timed(N, () => { for (let i = 0; i < N; i++) d.add(ids[i], T0 + (i * 3 * 86400) / N); });
  },
};

for (const [name, f] of Object.entries(cases)) {
  console.log(`${name.padEnd(58)} ${(median(f) / 1e6).toFixed(2)} M updates/s`);
}
