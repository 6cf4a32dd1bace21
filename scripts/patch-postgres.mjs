// postgres.js 3.4.x can throw an uncaught TypeError when the server drops a connection while a write is
// queued (`socket` is already null in nextWrite; upstream issues porsager/postgres#1154 and #1208, fixes
// not released). An uncaught error would kill the whole operations center during a database restart, so
// this install step adds the missing null check. Idempotent; does nothing when upstream has fixed it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const BROKEN = 'const x = socket.write(chunk, fn)';
const FIXED =
  "const x = socket ? socket.write(chunk, fn) : (fn && fn(new Error('connection closed')), false)";
let patched = 0;
for (const file of ['src', 'cjs/src', 'cf/src'].map((d) => `node_modules/postgres/${d}/connection.js`)) {
  if (!existsSync(file)) continue;
  const text = readFileSync(file, 'utf8');
  if (!text.includes(BROKEN)) continue;
  writeFileSync(file, text.replace(BROKEN, FIXED));
  patched++;
}
if (patched) console.log(`patched postgres.js nextWrite null check in ${patched} file(s)`);
