// Child process for the logrotate tests: appends numbered lines to some files at a steady rate, with
// no pause around rotations, as an application does. Usage:
//   node logwriter.mjs DIR TAGS LINES_PER_FILE LINES_PER_SEC MODE
// TAGS: comma-separated (file DIR/<tag>.log, lines "<rfc3339> file=<tag> n=<seq> <padding>");
// MODE: `create` reopens a file once its path names another inode (an application reopening its log
//       after logrotate's postrotate signal), `copytruncate` keeps its O_APPEND descriptor.
// Log time advances one second every 20 lines of a file. Sends {type:'done', counts} at the end.
import fs from 'node:fs';

const [dir, tagsS, perFileS, rateS, mode] = process.argv.slice(2);
const tags = tagsS.split(',');
const perFile = Number(perFileS);
const rate = Number(rateS);
const BASE = Date.UTC(2026, 1, 8, 4, 0, 0);
const iso = (seq) => new Date(BASE + Math.floor(seq / 20) * 1000).toISOString().slice(0, 19) + 'Z';
const files = tags.map((tag) => {
  const path = `${dir}/${tag}.log`;
  const fd = fs.openSync(path, 'a');
  return { tag, path, fd, ino: fs.fstatSync(fd).ino, seq: 0 };
});
const t0 = Date.now();
while (files.some((f) => f.seq < perFile)) {
  const due = Math.min(perFile, Math.floor(((Date.now() - t0) / 1000) * rate));
  for (const f of files) {
    if (mode === 'create') {
      let ino = -1;
      try { ino = fs.statSync(f.path).ino; } catch { /* between the rename and the create */ }
      if (ino !== -1 && ino !== f.ino) { fs.closeSync(f.fd); f.fd = fs.openSync(f.path, 'a'); f.ino = fs.fstatSync(f.fd).ino; }
    }
    let buf = '';
    while (f.seq < due) { buf += `${iso(f.seq)} file=${f.tag} n=${f.seq} ${'x'.repeat(f.seq % 23)}\n`; f.seq++; }
    if (buf) fs.writeSync(f.fd, buf);
  }
  await new Promise((r) => setTimeout(r, 5));
}
for (const f of files) fs.closeSync(f.fd);
process.send({ type: 'done', counts: files.map((f) => f.seq) });
process.disconnect();
