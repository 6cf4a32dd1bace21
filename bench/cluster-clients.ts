// A child process of bench:cluster (bench/cluster.ts): opens a share of the 2,000 Socket.IO clients, each
// signed in with the duty officer's session cookie and subscribed to the sensor layer like the map page,
// and records when each one receives `cases:changed` for the benchmark's case and `sensors:delta` naming
// the benchmark's sensor. Several of these processes split the clients, so that one event loop handing an
// event to 2,000 sockets one after another is not what the latency measures. Times are epoch ms with
// sub-ms precision (performance.timeOrigin + performance.now()), comparable with the parent's on the same
// machine. Talks to the parent over IPC only.
import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { decodeDelta } from '../src/lib/streams/codec';
import type { ClientToServerEvents, ServerToClientEvents } from '../src/lib/streams/contract';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** What the parent asks. */
export type ToClients =
  | {
      type: 'open';
      /** One node URL per client of this process. */
      urls: string[];
      /** First client index of this process (clients are numbered across processes). */
      base: number;
      cookie: string;
      /** Per node URL: the sequence to resume from (so a subscription is a small resume delta). */
      seqs: Record<string, number>;
      caseCode: string;
      /** The sensors whose deltas are recorded (one per event). */
      sensorIds: number[];
    }
  | { type: 'reset' }
  | { type: 'collect' }
  | { type: 'close' };

/** What this process answers. */
export type FromClients =
  | { type: 'ready' }
  | { type: 'opened'; ok: number; failed: number; errors: string[]; seconds: number }
  | {
      type: 'results';
      /** [client, receive time, frame.at in epoch ms] */
      cases: [number, number, number][];
      /** [client, receive time, index of the sensor in sensorIds, its state in the delta] */
      deltas: [number, number, number, number][];
      /** Clients that lost their connection since they opened. */
      disconnected: number;
    }
  | { type: 'reset' }
  | { type: 'closed' };

const now = () => performance.timeOrigin + performance.now();
const send = (m: FromClients) => process.send!(m);
const CONCURRENCY = 50;

let sockets: ClientSocket[] = [];
let cases: [number, number, number][] = [];
let deltas: [number, number, number, number][] = [];
let disconnected = 0;

function openOne(
  i: number,
  url: string,
  cookie: string,
  sinceSeq: number,
  caseCode: string,
  watched: Map<number, number>,
): Promise<ClientSocket> {
  const s: ClientSocket = io(url, {
    transports: ['websocket'],
    extraHeaders: { cookie },
    reconnection: false,
    forceNew: true,
    timeout: 60_000,
  });
  s.on('cases:changed', (c) => {
    if (c.code === caseCode) cases.push([i, now(), Date.parse(c.at)]);
  });
  s.on('sensors:delta', (frame) => {
    const t = now();
    const d = decodeDelta(frame);
    for (let k = 0; k < d.ids.length; k++) {
      const at = watched.get(d.ids[k]);
      if (at !== undefined) deltas.push([i, t, at, d.states[k]]);
    }
  });
  return new Promise<ClientSocket>((resolve, reject) => {
    const timer = setTimeout(() => {
      s.close();
      reject(new Error('connect + subscribe took over 60 s'));
    }, 60_000);
    s.once('connect_error', (e) => {
      clearTimeout(timer);
      s.close();
      reject(e);
    });
    s.once('connect', () =>
      s.emit('sensors:subscribe', { sinceSeq }, (ack) => {
        clearTimeout(timer);
        if (!ack.ok) {
          s.close();
          return reject(new Error(ack.error ?? 'subscribe refused'));
        }
        s.once('disconnect', () => disconnected++);
        resolve(s);
      }),
    );
  });
}

process.on('message', (m: ToClients) => {
  void (async () => {
    if (m.type === 'open') {
      const t0 = now();
      const errors = new Map<string, number>();
      const watched = new Map(m.sensorIds.map((id, k) => [id, k]));
      let next = 0;
      let failed = 0;
      const worker = async () => {
        while (next < m.urls.length) {
          const k = next++;
          try {
            sockets.push(
              await openOne(m.base + k, m.urls[k], m.cookie, m.seqs[m.urls[k]], m.caseCode, watched),
            );
          } catch (err) {
            failed++;
            const msg = (err as Error).message;
            errors.set(msg, (errors.get(msg) ?? 0) + 1);
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      send({
        type: 'opened',
        ok: sockets.length,
        failed,
        errors: [...errors].map(([e, n]) => `${n}× ${e}`),
        seconds: (now() - t0) / 1000,
      });
    } else if (m.type === 'reset') {
      cases = [];
      deltas = [];
      send({ type: 'reset' });
    } else if (m.type === 'collect') {
      send({ type: 'results', cases, deltas, disconnected });
    } else if (m.type === 'close') {
      for (const s of sockets) s.close();
      sockets = [];
      send({ type: 'closed' });
      process.disconnect();
    }
  })();
});

// Messages sent before this module finished loading would be lost: the parent waits for this one.
send({ type: 'ready' });
