// --check on a valid config: what a user reviews before deploying it. Every group with the files
// each glob matches now, and the keys it can produce (key names with tag names).
import type { Config, LogGroup } from './config/types.js';
import { expandGlob } from './tail/glob.js';

const STATS: Record<string, string> = {
  meter: '{count,rate._1min,rate._5min,rate._15min}',
  counter: 'count',
  histogram: '{min,max,mean,std-dev,p50,p75,p95,p99,p999,sample_size}',
};

export async function checkReport(config: Config): Promise<string> {
  let s = `${config.file}: OK, ${config.groups.length} log group${config.groups.length === 1 ? '' : 's'}\n`;
  const st = config.settings;
  s += `push: ${st.push_proto} ${st.push_type} to ${st.push_host.map((h) => `${h}:${st.push_port}`).join(', ')}\n`;
  for (const g of config.groups) s += await groupReport(g);
  return s;
}

async function groupReport(g: LogGroup): Promise<string> {
  let s = `\ngroup ${g.name}\n  files:\n`;
  for (const glob of g.files) {
    const files = await expandGlob(glob);
    s += `    ${glob}  (${files.length} file${files.length === 1 ? '' : 's'} now)\n`;
    for (const f of files) s += `      ${f}\n`;
  }
  s += `  keys:\n`;
  const groupTags = g.tags.map((t) => (t.position === null ? `${t.name}=${t.value}` : t.name));
  for (const m of g.metrics) {
    for (const r of m.reference) {
      const tags = [...groupTags, ...r.tags.map(([k, v]) => `${k}=${v}`)].join(' ');
      s += `    ${g.key_prefix}.${m.key_suffix}.${STATS[m.type]} ${tags}`.trimEnd() + `   <- position ${r.position}\n`;
    }
  }
  return s;
}
