// Preloaded into the server by bench:memory (`node --import tsx --import ./bench/memory-probe.ts …`): keeps
// a weak reference to every WebAssembly.Memory (PGlite's heap) and answers the bench over IPC with
// process.memoryUsage() plus their sizes, or writes a heap snapshot and answers with a summary of it.
// The server's code is not changed by it; the bench, not the server, reads the snapshot afterwards.
import { setFlagsFromString, writeHeapSnapshot } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** One sample of the server's memory, MB. */
export interface MemorySample {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** Sum of the byte lengths of live WebAssembly memories (PGlite's WASM heap; it only grows). */
  wasm: number;
}

export type ProbeRequest =
  | { probe: 'sample'; id: number }
  | { probe: 'gc'; id: number }
  | { probe: 'snapshot'; id: number; file: string };
export type ProbeReply =
  | { probe: 'sample' | 'gc'; id: number; sample: MemorySample }
  | { probe: 'snapshot'; id: number; file: string };

const memories: WeakRef<WebAssembly.Memory>[] = [];
const Original = WebAssembly.Memory;
// A subclass, so that `instanceof WebAssembly.Memory` and emscripten's own checks still hold.
class TrackedMemory extends Original {
  constructor(descriptor: WebAssembly.MemoryDescriptor) {
    super(descriptor);
    memories.push(new WeakRef(this));
  }
}
(WebAssembly as { Memory: typeof WebAssembly.Memory }).Memory = TrackedMemory;

const MB = 2 ** 20;

function fullGc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

function sample(): MemorySample {
  const m = process.memoryUsage();
  let wasm = 0;
  for (const ref of memories) wasm += ref.deref()?.buffer.byteLength ?? 0;
  return {
    rss: m.rss / MB,
    heapUsed: m.heapUsed / MB,
    heapTotal: m.heapTotal / MB,
    external: m.external / MB,
    arrayBuffers: m.arrayBuffers / MB,
    wasm: wasm / MB,
  };
}

if (process.send) {
  process.on('message', (msg: ProbeRequest) => {
    if (msg?.probe === 'sample') {
      process.send!({ probe: 'sample', id: msg.id, sample: sample() } satisfies ProbeReply);
    } else if (msg?.probe === 'gc') {
      // A full collection, to tell what is alive from garbage V8 has not collected yet.
      fullGc();
      setTimeout(
        () => process.send!({ probe: 'gc', id: msg.id, sample: sample() } satisfies ProbeReply),
        500,
      );
    } else if (msg?.probe === 'snapshot') {
      const file = writeHeapSnapshot(msg.file);
      process.send!({ probe: 'snapshot', id: msg.id, file } satisfies ProbeReply);
    }
  });
  // The IPC channel must not keep a stopping server alive.
  process.channel?.unref();
}
