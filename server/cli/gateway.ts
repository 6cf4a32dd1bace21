// Manages HTTP ingest gateways from the command line. The key is printed once, at creation; only its
// SHA-256 is stored. Usage:
//   node --import tsx server/cli/gateway.ts create <code> <name>
//   node --import tsx server/cli/gateway.ts list
//   node --import tsx server/cli/gateway.ts disable|enable <code>
import { loadConfig } from '../config';
import { openDatabase } from '../db/client';
import { ingestRepository } from '../db/repositories/ingest.repository';
import { gatewayService } from '../services/gateway.service';

const USAGE = `usage:
  gateway create <code> <name>   register a gateway and print its key (shown once)
  gateway list                   list gateways
  gateway disable <code>         refuse the gateway's key
  gateway enable <code>          accept it again`;

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (!command || !['create', 'list', 'disable', 'enable'].includes(command)) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig();
  const db = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR });
  try {
    const repo = ingestRepository(db);
    if (command === 'create') {
      const [code, ...name] = args;
      if (!code || name.length === 0) {
        console.error(USAGE);
        return 2;
      }
      const { gateway, key } = await gatewayService({ ingest: repo }).create(code, name.join(' '));
      console.log(`gateway "${gateway.code}" (${gateway.name}) created.`);
      console.log(`key (shown only now; store it on the gateway):\n${key}`);
      console.log(
        `send: curl -H "Authorization: Bearer ${key}" -H "Content-Type: application/x-ndjson" --data-binary @readings.ndjson http://<host>:<port>/api/ingest/readings`,
      );
    } else if (command === 'list') {
      for (const g of await repo.listGateways()) {
        console.log(
          `${g.code.padEnd(20)} ${g.disabled ? 'disabled' : 'enabled '} ${g.createdAt.toISOString()} ${g.name}`,
        );
      }
    } else {
      const [code] = args;
      if (!code) {
        console.error(USAGE);
        return 2;
      }
      if (!(await repo.setGatewayDisabled(code, command === 'disable'))) {
        console.error(`no gateway "${code}"`);
        return 1;
      }
      console.log(`gateway "${code}" ${command}d`);
    }
    return 0;
  } finally {
    await db.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`gateway: ${err.message}`);
    process.exit(1);
  },
);
