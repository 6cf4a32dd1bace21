// The layer worker: runs the LayerEngine beside the page. Requests that arrive together are answered
// once (a burst of deltas costs one rebuild); cell queries at once.
import { LayerEngine, replyBuffers, type LayerReply, type LayerRequest } from './layer-engine';

const engine = new LayerEngine();
let scheduled = false;

const post = (reply: LayerReply) => self.postMessage(reply, { transfer: replyBuffers(reply) });

self.onmessage = (e: MessageEvent<LayerRequest>) => {
  const answer = engine.receive(e.data);
  if (answer) return post(answer);
  if (scheduled) return;
  scheduled = true;
  // After the messages already queued: a timer task runs behind them.
  setTimeout(() => {
    scheduled = false;
    post(engine.compute());
  }, 0);
};
