// Child process for the CLI rotation torture test (tail-rotation.test.ts): appends numbered lines to
// N files `app-<k>.log` and rotates them, alternating rename+create and copytruncate.
//   node tail-rotwriter.mjs DIR NFILES TOTAL_LINES ROTATE_EVERY SEED PREFILL
// Lines: `<rfc3339> file=f<k> n=<seq> <x padding>`, seq counting from 0 per file (across rotations);
// log time advances one second every 100 lines of a file.
// Protocol (IPC): writes PREFILL lines to every file, sends {type:'ready'} and waits for {type:'go'}
// (the collector is started in between: those lines are "present at start-up"). Then:
// - bursts of 1-60 lines, a quarter of them split at an arbitrary byte into two writes (the tailer
//   sees a partial line for a moment), with short pauses now and then;
// - rename rotation (`app-k.log` -> `app-k.log.rN`, not matched by the glob `app-*.log`): the burst
//   before it goes right up to the rename, one more line is written to the old fd after the rename
//   (as an application does until it reopens its log), then the new file is created;
// - copytruncate: the writer asks its parent to confirm that the collector has read the file to its
//   end ({type:'sync', path, ino, size} -> {type:'go'}), then copies (`app-k.log.cN`) and truncates
//   with no write in between (as logrotate does from its own process), and goes on appending
//   through its O_APPEND fd.
// Ends with {type:'done', counts, renames, truncates}.
import fs from 'node:fs';

const [dir, nFilesS, totalS, everyS, seedS, prefillS] = process.argv.slice(2);
const nFiles = Number(nFilesS), total = Number(totalS), every = Number(everyS), prefill = Number(prefillS ?? 0);
let seed = Number(seedS) >>> 0 || 1;
const rand = (n) => { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed % n; };
const BASE = Date.UTC(2026, 1, 8, 4, 0, 0);
const iso = (seq) => new Date(BASE + Math.floor(seq / 100) * 1000).toISOString().slice(0, 19) + 'Z';
const line = (k, seq) => `${iso(seq)} file=f${k} n=${seq} ${'x'.repeat(rand(80))}\n`;

const ask = (msg) => new Promise((res) => { process.once('message', res); process.send(msg); });

const files = [];
for (let k = 0; k < nFiles; k++) {
  const path = `${dir}/app-${k}.log`;
  files.push({ k, path, fd: fs.openSync(path, 'a'), seq: 0, since: 0, rotations: 0 });
}
let written = 0;
for (const f of files) {
  let buf = '';
  for (let i = 0; i < prefill; i++) buf += line(f.k, f.seq++);
  fs.writeSync(f.fd, buf);
  written += prefill;
  f.since = prefill;
}
await ask({ type: 'ready' });

let renames = 0, truncates = 0;
while (written < total) {
  const f = files[rand(nFiles)];
  const burst = 1 + rand(60);
  let buf = '';
  for (let i = 0; i < burst; i++) buf += line(f.k, f.seq++);
  if (rand(4) === 0) {
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
  if (rand(8) === 0) await new Promise((r) => setTimeout(r, rand(3)));
}
for (const f of files) fs.closeSync(f.fd);
process.send({ type: 'done', counts: files.map((f) => f.seq), renames, truncates });
process.disconnect();
