// logmetrics_collector.lag.seconds (spec section 9): wall time minus log time of points handed to
// the output, p50 and p99 over the most recent samples.
import type { Registry, Series } from './registry.js';

const SAMPLES = 1024;

export class LagTracker {
  private readonly ring = new Float64Array(SAMPLES);
  private n = 0;
  private readonly p50: Series;
  private readonly p99: Series;

  constructor(registry: Registry) {
    this.p50 = registry.gauge('lag.seconds', { quantile: 'p50' });
    this.p99 = registry.gauge('lag.seconds', { quantile: 'p99' });
  }

  record(lagSec: number): void {
    this.ring[this.n++ % SAMPLES] = lagSec;
  }

  /** Updates the two gauges from the samples held. */
  update(): void {
    const k = Math.min(this.n, SAMPLES);
    if (k === 0) return;
    const s = this.ring.slice(0, k).sort();
    this.p50.value = s[Math.min(k - 1, Math.floor(0.5 * k))]!;
    this.p99.value = s[Math.min(k - 1, Math.floor(0.99 * k))]!;
  }
}
