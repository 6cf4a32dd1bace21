// The embedded MQTT broker (aedes) that runs inside CityNerve when MQTT_URL is unset, so devices can
// publish with any MQTT client and nothing else has to be installed. MQTT 3.1.1, in memory, no shared
// subscriptions (aedes 1.2 treats "$share/…" as a literal filter): one node owns its embedded broker, so
// the ingest client subscribes with the plain topic filter. A city with many nodes runs an external
// broker (Mosquitto, EMQX) and sets MQTT_URL.
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import { PacketGuard, type OversizePacket } from './broker-guard';

/** A running embedded broker. */
export interface EmbeddedBroker {
  /** mqtt://host:port devices and the ingest client connect to. */
  url: string;
  /** The TCP port it listens on (useful when 0 asked for a free one). */
  port: number;
  /** Disconnects every client and stops listening. */
  close(): Promise<void>;
}

/** Settings of the embedded broker. */
export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  /** Largest MQTT packet a device may send, bytes; a larger one closes its connection unread. */
  maxPacketBytes?: number;
  /** Told of every packet refused by size (to count it as a dead letter). */
  onOversize?: (p: OversizePacket) => void;
}

/** Starts aedes on a TCP port; fails with a clear message when the port is taken. */
export async function startEmbeddedBroker(opts: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const aedes = await Aedes.createBroker({ id: 'citynerve-embedded' });
  const max = opts.maxPacketBytes ?? Infinity;
  const onOversize = opts.onOversize ?? (() => {});
  const server: Server = createServer((socket) =>
    aedes.handle(Number.isFinite(max) ? new PacketGuard(socket, max, onOversize) : socket),
  );
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await new Promise<void>((r) => aedes.close(() => r()));
    const e = err as NodeJS.ErrnoException;
    throw new Error(
      e.code === 'EADDRINUSE'
        ? `The embedded MQTT broker cannot listen on ${opts.host}:${opts.port}: the port is in use. Set MQTT_EMBEDDED_PORT to a free port, or MQTT_URL to use an existing broker.`
        : `The embedded MQTT broker cannot start: ${e.message}`,
    );
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const host = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host;
  return {
    url: `mqtt://${host}:${port}`,
    port,
    async close() {
      await new Promise<void>((r) => aedes.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
