// Fails when the drizzle schema has changes that no committed migration contains.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const before = new Set(readdirSync('db/migrations'));
const r = spawnSync('npx', ['drizzle-kit', 'generate', '--name=uncommitted_check'], { encoding: 'utf8' });
const added = readdirSync('db/migrations').filter((f) => !before.has(f));
if (r.status !== 0) {
  console.error(r.stdout, r.stderr);
  process.exit(1);
}
if (added.length) {
  const { rmSync } = await import('node:fs');
  for (const f of added) rmSync(`db/migrations/${f}`);
  spawnSync('git', ['checkout', '--', 'db/migrations/meta'], { stdio: 'inherit' });
  console.error(
    `server/db/schema.ts has changes without a migration: run \`npm run db:generate\` and commit db/migrations.`,
  );
  process.exit(1);
}
console.log('db/migrations matches server/db/schema.ts');
