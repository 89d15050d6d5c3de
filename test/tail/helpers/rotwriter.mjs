// Child process for the rotation torture tests: appends numbered lines to N files and rotates them,
// alternating rename+create and copytruncate. Usage:
//   node rotwriter.mjs DIR NFILES TOTAL_LINES ROTATE_EVERY SEED [PREFILL]
// Without PREFILL (the tailer's own test, test/tail/rotation.test.ts): files `f<k>.log`, lines
// "f<k> <seq> <padding>", a short pause after 1 burst in 50.
// With PREFILL (the CLI's test, test/integration/tail-rotation.test.ts): files `app-<k>.log`, lines
// `<rfc3339> file=f<k> n=<seq> <x padding>` whose log time advances one second every 100 lines of a
// file, a short pause after 1 burst in 8; PREFILL lines go to every file first, then the writer sends
// {type:'ready'} and waits for {type:'go'} (the collector is started in between: those lines are
// "present at start-up").
// seq counts from 0 per file, across rotations. Then:
// - bursts of 1-60 lines, a quarter of them split at an arbitrary byte into two writes (the tailer
//   sees a partial line for a moment);
// - rename rotation (`<file>` -> `<file>.rN`): the burst before it goes right up to the rename, one
//   more line is written to the old fd after the rename (as an application does until it reopens its
//   log), then the new file is created;
// - copytruncate: the writer asks its parent to confirm that the tailer has read the file to its end
//   ({type:'sync', path, ino, size} -> {type:'go'}), then copies (`<file>.cN`) and truncates with no
//   write in between (as logrotate does from its own process), and goes on appending through its
//   O_APPEND fd.
// Ends with {type:'done', counts, renames, truncates}.
import fs from 'node:fs';

const [dir, nFilesS, totalS, everyS, seedS, prefillS] = process.argv.slice(2);
const nFiles = Number(nFilesS), total = Number(totalS), every = Number(everyS);
const cli = prefillS !== undefined;
const prefill = cli ? Number(prefillS) : 0;
let seed = Number(seedS) >>> 0 || 1;
const rand = (n) => { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed % n; };
const BASE = Date.UTC(2026, 1, 8, 4, 0, 0);
const iso = (seq) => new Date(BASE + Math.floor(seq / 100) * 1000).toISOString().slice(0, 19) + 'Z';
const line = cli
  ? (k, seq) => `${iso(seq)} file=f${k} n=${seq} ${'x'.repeat(rand(80))}\n`
  : (k, seq) => `f${k} ${seq} ${'x'.repeat(rand(80))}\n`;
const pauseOneIn = cli ? 8 : 50;

const ask = (msg) => new Promise((res) => { process.once('message', res); process.send(msg); });

const files = [];
for (let k = 0; k < nFiles; k++) {
  const path = cli ? `${dir}/app-${k}.log` : `${dir}/f${k}.log`;
  files.push({ k, path, fd: fs.openSync(path, 'a'), seq: 0, since: 0, rotations: 0 });
}
let written = 0;
if (cli) {
  for (const f of files) {
    let buf = '';
    for (let i = 0; i < prefill; i++) buf += line(f.k, f.seq++);
    fs.writeSync(f.fd, buf);
    written += prefill;
    f.since = prefill;
  }
  await ask({ type: 'ready' });
}

let renames = 0, truncates = 0;
while (written < total) {
  const f = files[rand(nFiles)];
  const burst = 1 + rand(60);
  let buf = '';
  for (let i = 0; i < burst; i++) buf += line(f.k, f.seq++);
  if (rand(4) === 0) {
    // split the burst at an arbitrary byte: the tailer sees a partial line for a moment
    const cut = rand(buf.length);
    fs.writeSync(f.fd, buf.slice(0, cut));
    fs.writeSync(f.fd, buf.slice(cut));
  } else fs.writeSync(f.fd, buf);
  written += burst;
  f.since += burst;
  if (f.since >= every) {
    f.since = 0;
    f.rotations++;
    if (f.rotations % 2 === 1) {
      fs.renameSync(f.path, `${f.path}.r${f.rotations}`);
      fs.writeSync(f.fd, line(f.k, f.seq++)); // still goes to the renamed file
      written++;
      fs.closeSync(f.fd);
      f.fd = fs.openSync(f.path, 'a');
      renames++;
    } else {
      const st = fs.fstatSync(f.fd);
      await ask({ type: 'sync', path: f.path, ino: st.ino, size: st.size });
      fs.copyFileSync(f.path, `${f.path}.c${f.rotations}`);
      fs.ftruncateSync(f.fd, 0);
      truncates++;
    }
  }
  if (rand(pauseOneIn) === 0) await new Promise((r) => setTimeout(r, rand(3)));
}
for (const f of files) fs.closeSync(f.fd);
process.send({ type: 'done', counts: files.map((f) => f.seq), renames, truncates });
process.disconnect();
