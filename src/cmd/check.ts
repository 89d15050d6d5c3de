// --check on a valid config: what a user reviews before deploying it. The settings that decide where
// points go, then for every log group: the files each glob matches now, its regexes, date and tags,
// and the keys it can produce (key names with their stats and tag names, and where each value comes
// from). Things worth a look but not errors (a glob matching nothing, a file the group would skip)
// are listed as warnings at the end; the exit code stays 0. Layout (plain text; colour on a terminal):
//
//   <config file>: OK, <n> log group(s)
//   push: <tsd|tcollector> over <proto> to <host:port>[, <host:port> ...] (<n> pusher(s))
//   state_file: <path | none>; status_listen: <host:port | none>
//
//   log group <name>
//     files:
//       <glob>: <n> file(s) now | no file now
//       in reading order (oldest first by their first line's time, then rotation order):
//         <path> (<size>[, <gzip|zstd|...>])[  skipped: <why>]
//       cannot read:
//         <path>: <reason>
//       -: standard input
//     journal: <the system journal | directory <path>>, matches <m ...>|every entry[, fields $<pos>=<NAME> ...]
//     regex 1/<n>: <pieces> piece(s), <groups> group(s), regex_engine <engine>
//     date: $<pos>, layout "<format>", timezone <tz> | the journal entry's time
//     tags: <name>=$<pos> | <name>=<constant> ...
//     push: every <interval> s of log time (live_poll <bool>), <n> shard(s)[, stale after <m> min]
//     keys: <n> series per combination of <tag names> (or "<n> series" without line tags)
//       <meter|histogram|counter|distinct> <key_prefix>.<key_suffix>.{<stats>}[ (<histogram kind | distinct windows and error>)]
//         <tag names and reference tags>  <- <value source>
//     limits: max_tag_values <n>, max_keys <n>; worst case <n> keys, about <size>
//       tag <name> = $<pos> (<group>) can take any number of values
//
//   warnings:
//     log group <name>: <glob> matches no file now
//     log group <name>: <why its journal cannot be read now>
//     log group <name>: regex <i>/<n> <regex>: V8 cannot bound it (...); ... use regex_engine: re2
//     log group <name>: regex <i>/<n>, piece <p> (config line <l>): extended style removes every space ...
//     log group <name>: date layout "<format>" has no day (02, _2 or 2): ...
//     log group <name>: <path> matches the globs but not filename_match; it would be skipped
//     log group <name>: cannot read <path>: <reason>
import type { Config, LogGroup, MetricDef, Reference } from '../config/types.js';
import { planGroup } from '../tail/plan.js';
import type { FirstTime } from '../tail/types.js';
import { firstTimeOf } from './firsttime.js';
import { STDIN_PATH } from '../input/stdin.js';
import { groupCount } from '../parse/matcher.js';
import { checkDirectory, checkSystemJournal } from '../input/journal/access.js';
import { formatBytes, makeStyle, useColour, type Style } from './style.js';
import { linearTime } from '../parse/runaway.js';
import { layoutGaps } from '../parse/date.js';
import { RUNAWAY_MS } from '../parse/extract.js';
import { STUCK_MS } from '../process/parallel/workers.js';
import { limitsReport } from './limits.js';
import { DEFAULT_PRECISION, Hll } from '../stats/hll.js';
import { windowZone } from '../stats/window.js';

export const STATS: Record<MetricDef['type'], string[]> = {
  meter: ['count', 'rate._1min', 'rate._5min', 'rate._15min'],
  counter: ['count'],
  histogram: ['min', 'max', 'mean', 'std-dev', 'p50', 'p75', 'p95', 'p99', 'p999', 'sample_size'],
  distinct: ['distinct.count', 'distinct.count_total'],
};

const plural = (n: number, one: string, many = one + 's'): string => `${n} ${n === 1 ? one : many}`;

export async function checkReport(config: Config, st: Style = makeStyle(useColour(process.stdout))): Promise<string> {
  const warnings: string[] = [];
  let s = `${config.file}: ${st.green('OK')}, ${plural(config.groups.length, 'log group')}\n`;
  const set = config.settings;
  const hosts = set.push_host.map((h) => `${h}:${set.push_port}`).join(', ');
  const http = set.push_proto === 'http' ? `, path ${set.push_path}${set.push_tls ? ', TLS' : ''}` : '';
  s += `push: ${set.push_type} over ${set.push_proto} to ${hosts}${http} (${plural(set.push_number, 'pusher')})\n`;
  s += `state_file: ${set.state_file === '' ? 'none' : set.state_file}; status_listen: ${set.status_listen ?? 'none'}\n`;
  const firstTime = firstTimeOf(config, Date.now);
  for (const g of config.groups) s += await groupReport(g, st, warnings, firstTime);
  if (warnings.length) {
    s += `\n${st.yellow('warnings:')}\n`;
    for (const w of warnings) s += `  ${w}\n`;
  }
  return s;
}

async function groupReport(g: LogGroup, st: Style, warnings: string[], firstTime: FirstTime): Promise<string> {
  let s = `\n${st.bold(`log group ${g.name}`)}\n`;
  if (g.files.length) s += '  files:\n';
  const fm = g.filename_match ? new RegExp(g.filename_match) : null;
  if (g.files.includes(STDIN_PATH)) s += `    ${STDIN_PATH}: standard input\n`;
  const globs = g.files.filter((x) => x !== STDIN_PATH);
  const plan = await planGroup({ name: g.name, globs, pollFile: g.poll_file, fromStart: true, maxFiles: g.max_files }, firstTime);
  for (const { glob, files } of plan.perGlob) {
    if (files === 0) {
      s += `    ${glob}: ${st.yellow('no file now')}\n`;
      warnings.push(`log group ${g.name}: ${glob} matches no file now`);
    } else s += `    ${glob}: ${plural(files, 'file')} now\n`;
  }
  if (plan.files.length) s += '    in reading order (oldest first by their first line\'s time, then rotation order):\n';
  for (const f of plan.files) {
    const kind = f.format === 'plain' ? '' : `, ${f.format}`;
    const skipped = f.skip ?? (fm !== null && !fm.test(f.path) ? 'does not match filename_match' : null);
    s += `      ${f.path} (${formatBytes(f.size)}${kind})${skipped ? `  ${st.yellow(`skipped: ${skipped}`)}` : ''}\n`;
    if (skipped && !f.skip) warnings.push(`log group ${g.name}: ${f.path} matches the globs but not filename_match; it would be skipped`);
    else if (skipped) warnings.push(`log group ${g.name}: ${f.path} is compressed with ${skipped}; it would be skipped`);
  }
  if (plan.problems.length) s += `    ${st.yellow('cannot read:')}\n`;
  for (const p of plan.problems) {
    s += `      ${p.path}: ${p.reason}\n`;
    warnings.push(`log group ${g.name}: cannot read ${p.path}: ${p.reason}`);
  }
  if (g.journal) s += journalReport(g, st, warnings);
  if (g.filename_match) s += `  filename_match: ${g.filename_match}\n`;
  warnings.push(...regexWarnings(g));
  g.re.forEach((_, i) => {
    const pieces = g.re_pieces[i]?.length ?? 1;
    s += `  regex ${i + 1}/${g.re.length}: ${plural(pieces, 'piece')}, ${plural(g.expected_matches, 'group')}, regex_engine ${g.regex_engine}\n`;
  });
  s += g.date.source === 'journal' ? '  date: the journal entry\'s time\n'
    : `  date: $${g.date.position}, layout ${JSON.stringify(g.date.format)}, timezone ${g.date.timezone}\n`;
  if (g.tags.length) s += `  tags: ${g.tags.map((t) => (t.position === null ? `${t.name}=${t.value}` : `${t.name}=$${t.position}`)).join(' ')}\n`;
  if (g.transform.length) s += `  transforms: ${g.transform.map((t) => `$${t.position} (${plural(t.operations.length, 'operation')})`).join(', ')}\n`;
  let push = `every ${g.interval} s of log time (live_poll ${g.live_poll})`;
  push += `, ${plural(g.goroutines, 'shard')}`;
  if (g.send_duplicates) push += ', duplicates sent';
  if (g.stale_removal) push += `, stale after ${g.stale_threshold_min} min`;
  s += `  push: ${push}\n`;

  const lineTags = g.tags.filter((t) => t.position !== null).map((t) => t.name);
  const groupTags = g.tags.map((t) => (t.position === null ? `${t.name}=${t.value}` : t.name));
  let series = 0;
  for (const m of g.metrics) series += STATS[m.type].length * m.reference.length;
  s += `  keys: ${plural(series, 'series', 'series')}${lineTags.length ? ` per combination of ${lineTags.join(', ')}` : ''}\n`;
  for (const m of g.metrics) {
    const stats = STATS[m.type];
    const name = `${g.key_prefix}.${m.key_suffix}.${stats.length === 1 ? stats[0] : `{${stats.join(',')}}`}`;
    let extra = '';
    if (m.type === 'histogram') extra += ` ${st.dim(`(${g.histogram_kind === 'hdr' ? 'hdr' : `forward_decay, ${g.histogram_size} samples`})`)}`;
    if (m.type === 'distinct') extra += ` ${st.dim(`(${distinctNote(g, m)})`)}`;
    if (m.never_stale) extra += ` ${st.dim('never_stale')}`;
    s += `    ${m.type} ${st.cyan(name)}${extra}\n`;
    const rows = m.reference.map((r) => [[...groupTags, ...r.tags.map(([k, v]) => `${k}=${v}`)].join(' ') || '(no tags)', valueSource(m, r)] as const);
    const w = Math.max(...rows.map(([t]) => t.length));
    for (const [tags, src] of rows) s += `      ${tags.padEnd(w)}  <- ${src}\n`;
  }
  return s + limitsReport(g, st, warnings);
}

/** A distinct metric's windows and error: "windows of 1440 min from midnight UTC, precision 14: exact
 *  to 768 values, then ±0.81% standard error". */
function distinctNote(g: LogGroup, m: MetricDef): string {
  const p = m.precision ?? DEFAULT_PRECISION;
  const id = windowZone(g.date).id;
  const zone = id === 'UTC' && g.date.timezone !== 'UTC' && g.date.source !== 'journal' ? 'UTC (the dates carry their own offset)' : id;
  const sparse = new Hll(p).sparseLimit;
  return `windows of ${m.window_min} min from midnight ${zone}, precision ${p}: exact to ${sparse} values, then ±${(104 / Math.sqrt(2 ** p)).toFixed(2)}% standard error`;
}

/**
 * Regexes and layouts that pass the config checks but will not do what was meant: regexes V8 cannot
 * bound (parse/runaway.ts), spaces extended style removes between tokens, date layouts lacking a
 * day, month or hour.
 */
function regexWarnings(g: LogGroup): string[] {
  const w: string[] = [];
  const at = `log group ${g.name}`;
  const why = 'V8 cannot bound it (a lookaround, a backreference or a large {n,m}): one line can keep it busy for minutes';
  g.re.forEach((src, i) => {
    if (g.regex_engine === 'js' && !linearTime(src)) {
      w.push(`${at}: regex ${i + 1}/${g.re.length} ${src}: ${why}; its lines are extracted in a parse worker that cuts a line off after ${STUCK_MS} ms. ` +
        'Rewrite it without them, or use regex_engine: re2 (linear time; no lookarounds or backreferences)');
    }
    (g.re_pieces[i] ?? []).forEach((p, k) => {
      if (p.spaced !== undefined) {
        w.push(`${at}: regex ${i + 1}/${g.re.length}, piece ${k + 1} (config line ${p.line}): extended style removes every space, so ` +
          `'${p.spaced}' is read as '${p.spaced.replace(/ /g, '')}'; write a space the line holds as \\s or \\x20`);
      }
    });
  });
  for (const t of g.transform) {
    for (const op of t.operations) {
      if (!linearTime(op.regex)) w.push(`${at}: transform of $${t.position}, regex ${op.regex}: ${why}; its lines are extracted in a parse worker that cuts a line off after ${STUCK_MS} ms. Rewrite it without them`);
    }
  }
  if (g.filename_match && !linearTime(g.filename_match)) {
    w.push(`${at}: filename_match ${g.filename_match}: ${why}; a path it takes more than ${RUNAWAY_MS} ms on is skipped. Rewrite it without them`);
  }
  for (const gap of layoutGaps(g.date.format)) w.push(`${at}: date layout ${JSON.stringify(g.date.format)} has ${gap}`);
  return w;
}

/** The journal line: where, which entries, the fields' positions; a warning when it cannot be read now. */
function journalReport(g: LogGroup, st: Style, warnings: string[]): string {
  const j = g.journal!;
  const first = g.expected_matches + (g.filename_match ? groupCount(g.filename_match, 'js') : 0) + 1;
  let s = `  journal: ${j.directory === null ? 'the system journal' : `directory ${j.directory}`}, `;
  s += j.matches.length ? `matches ${j.matches.join(' ')}` : 'every entry';
  if (j.fields.length) s += `, fields ${j.fields.map((f, i) => `$${first + i}=${f}`).join(' ')}`;
  const problem = j.directory === null ? checkSystemJournal(g.name) : checkDirectory(g.name, j.directory);
  if (problem === 'missing') {
    s += `  ${st.yellow('no such directory now')}`;
    warnings.push(`log group ${g.name}: journal directory ${j.directory} does not exist now`);
  } else if (problem !== null && problem !== 'ok') {
    s += `  ${st.yellow('cannot be read now')}`;
    warnings.push(problem.message);
  }
  return s + '\n';
}

/** Where a reference's value comes from, e.g. `1 per line`, `$6 / 1000 (float)`, `$6 - $8 - $10`. */
export function valueSource(m: MetricDef, r: Reference): string {
  if (r.position === 0 && m.type !== 'histogram') return '1 per matched line';
  let s = r.position === 0 ? '$0 (the whole line)' : `$${r.position}`;
  if (m.multiply !== 1) s += ` * ${m.multiply}`;
  if (m.divide !== 1) s += ` / ${m.divide}`;
  for (const a of r.add) s += ` + $${a}`;
  for (const b of r.sub) s += ` - $${b}`;
  if (m.format === 'float') s += ' (float)';
  return s;
}
