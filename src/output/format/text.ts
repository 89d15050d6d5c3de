// A point as text in the configured push_type, for --dry-run and for the rejected points a log line
// shows: the `put` line body for tsd and tcollector; for remote_write and otlp one sample in the
// Prometheus text format (`name{label="value",...} value timestamp_ms`); for influx the line
// protocol line that is sent.
import type { PushType } from '../../config/types.js';
import type { Point } from '../../core/types.js';
import { InfluxEncoder } from './influx.js';
import { lineBody } from './opentsdb.js';
import { OtlpEncoder } from './otlp.js';
import { RemoteWriteEncoder } from './remotewrite.js';

export function pointText(type: PushType): (p: Point) => string {
  switch (type) {
    case 'tsd':
    case 'tcollector':
      return lineBody;
    case 'remote_write': {
      const e = new RemoteWriteEncoder();
      return (p) => e.text(p);
    }
    case 'influx': {
      const e = new InfluxEncoder();
      return (p) => e.text(p);
    }
    case 'otlp': {
      const e = new OtlpEncoder('', '');
      return (p) => e.text(p);
    }
  }
}
