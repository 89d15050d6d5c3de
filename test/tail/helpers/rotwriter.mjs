// Child process for the rotation torture test: appends numbered lines to N files and rotates them,
// alternating rename+create and copytruncate. Usage:
//   node rotwriter.mjs DIR NFILES TOTAL_LINES ROTATE_EVERY SEED
// Lines: "f<k> <seq> <padding>". Rename rotation: a burst is written and the file renamed at once,
// one more line goes to the old fd after the rename (as an app does until it reopens its log), then
// the new file is created and written. Copytruncate: the writer asks its parent (IPC) to confirm the
// tailer has read everything, then copies and truncates with no write in between (as logrotate does
// from its own process), and goes on appending through its O_APPEND fd.
import fs from 'node:fs';

const [dir, nFilesS, totalS, everyS, seedS] = process.argv.slice(2);
const nFiles = Number(nFilesS), total = Number(totalS), every = Number(everyS);
let seed = Number(seedS) >>> 0 || 1;
const rand = (n) => { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed % n; };
const line = (k, seq) => `f${k} ${seq} ${'x'.repeat(rand(80))}\n`;

const ask = (msg) => new Promise((res) => { process.once('message', res); process.send(msg); });

const files = [];
for (let k = 0; k < nFiles; k++) {
  const path = `${dir}/f${k}.log`;
  files.push({ k, path, fd: fs.openSync(path, 'a'), seq: 0, since: 0, rotations: 0 });
}

let written = 0;
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
      const size = fs.fstatSync(f.fd).size;
      await ask({ type: 'sync', path: f.path, ino: fs.fstatSync(f.fd).ino, size });
      fs.copyFileSync(f.path, `${f.path}.c${f.rotations}`);
      fs.ftruncateSync(f.fd, 0);
      truncates++;
    }
  }
  if (rand(50) === 0) await new Promise((r) => setTimeout(r, rand(3)));
}
for (const f of files) fs.closeSync(f.fd);
process.send({ type: 'done', counts: files.map((f) => f.seq), renames, truncates });
process.disconnect();
