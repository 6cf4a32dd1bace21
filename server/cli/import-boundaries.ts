// Command line: `npm run import:boundaries -- <file.geojson>` replaces street geometry with a real boundary
// file. Prints a summary, or every problem on its own line and exits 1; nothing is stored on failure.
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';
import { loadConfig, type Config } from '../config';
import { openDatabase, type Database } from '../db/client';
import { importBoundaries, type BoundaryImportSummary } from '../services/boundary-import.service';

const USAGE = 'usage: npm run import:boundaries -- [--force] <file.geojson>';

/** Lines of a summary table: one row per figure, names listed below their count. */
function formatSummary(file: string, s: BoundaryImportSummary): string[] {
  const rows: [string, string][] = [
    ['streets updated', String(s.updatedStreets.length)],
    ['streets inserted', String(s.insertedStreets.length)],
    ['streets not in the file (unchanged)', String(s.untouchedStreets.length)],
    ['sensors reassigned to another street', String(s.sensorsReassigned)],
    ['sensors outside every street', `${s.sensorsOutside} of ${s.sensorsTotal}`],
    ['grid cells rebuilt', String(s.gridCells)],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = [`Imported ${file}:`, ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`)];
  if (s.insertedStreets.length > 0) lines.push(`  inserted: ${s.insertedStreets.join(', ')}`);
  if (s.untouchedStreets.length > 0)
    lines.push(`  not in the file, still as before: ${s.untouchedStreets.join(', ')}`);
  return lines;
}

async function readBoundaryFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory, not a file'
          : code === 'EACCES' || code === 'EPERM'
            ? 'permission denied'
            : (err as Error).message;
    throw new CliError(`Cannot read ${path.resolve(file)}: ${reason}`);
  }
}

async function open(config: Config): Promise<Database> {
  try {
    return await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR });
  } catch (err) {
    const message = (err as Error).message;
    if (config.DATABASE_URL) throw new CliError(message);
    // The embedded data folder can be used by one process at a time.
    throw new CliError(
      `Cannot open the embedded database in ${path.resolve(config.DATA_DIR)}: ${message}\n` +
        'If the CityNerve server is running on this data folder, stop it first and run the import again.',
    );
  }
}

/** True when something accepts TCP connections on host:port within a short wait. */
function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * PGlite takes no lock on its data folder, so a second process writing to it next to a running server
 * corrupts it silently. The server's port being open is the best sign we have that it is running.
 */
async function refuseIfServerRunning(config: Config): Promise<void> {
  if (config.DATABASE_URL || !(await listening(config.HOST, config.PORT))) return;
  throw new CliError(
    `Something is listening on ${config.HOST}:${config.PORT}, probably the CityNerve server. The embedded database in ` +
      `${path.resolve(config.DATA_DIR)} can be used by one process at a time: stop the running server first, then ` +
      'import again. If that port belongs to another program, run the import with --force.',
  );
}

/** An expected failure: printed as a message, never as a stack trace. */
class CliError extends Error {}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const force = argv.includes('--force');
  const files = argv.filter((a) => a !== '--force');
  if (files.length !== 1 || files[0].startsWith('-')) {
    console.error(USAGE);
    return 1;
  }
  const file = files[0];
  // Read the file before opening the database: a typo should not cost the embedded engine's start-up.
  const text = await readBoundaryFile(file);
  const config = loadConfig();
  if (!force) await refuseIfServerRunning(config);
  const db = await open(config);
  try {
    const result = await importBoundaries(db, text);
    if (!result.ok) {
      console.error(`${file} was rejected; nothing was changed:`);
      for (const line of result.errors) console.error(`  ${line}`);
      return 1;
    }
    for (const line of formatSummary(file, result.summary)) console.log(line);
    return 0;
  } finally {
    await db.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(
      err instanceof CliError || (err as Error).message?.startsWith('Invalid configuration')
        ? (err as Error).message
        : err,
    );
    process.exit(1);
  },
);
