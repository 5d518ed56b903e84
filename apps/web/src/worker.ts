// The machine's thread: a VmSession driven by messages from the page, so guest code never
// blocks the page (the terminal and the buttons stay responsive while the guest runs).
import type { PageMessage, WorkerMessage } from './protocol.js';
import { VmSession } from './vm-session.js';

const STATUS_INTERVAL_MS = 500;

const post = (message: WorkerMessage, transfer: Transferable[] = []) => postMessage(message, { transfer });

const session = new VmSession({
  serial: (bytes) => post({ type: 'serial', bytes }, [bytes.buffer]),
  booted: (name) => post({ type: 'booted', name }),
  status: (status) => post({ type: 'status', status }),
  note: (level, text) => post({ type: 'note', level, text }),
});

setInterval(() => post({ type: 'status', status: session.status() }), STATUS_INTERVAL_MS);

async function handle(message: PageMessage): Promise<void> {
  switch (message.type) {
    case 'boot':
      await session.boot(message.image, message.name, {
        cmdline: message.cmdline,
        ramBytes: message.ramBytes,
      });
      return;
    case 'start':
      return session.start();
    case 'stop':
      return session.stop();
    case 'reset':
      return session.reset();
    case 'save': {
      const saved = await session.save();
      if (saved) post({ type: 'snapshot', bytes: saved.bytes, name: saved.name }, [saved.bytes.buffer]);
      return;
    }
    case 'load':
      await session.load(message.snapshot, message.name);
      return;
    case 'input':
      return session.input(message.bytes);
  }
}

// One message at a time, in order: keys typed right after a boot reach the new guest.
let queue = Promise.resolve();
addEventListener('message', (event: MessageEvent<PageMessage>) => {
  // Whatever goes wrong is reported on the page; the worker itself keeps serving.
  queue = queue
    .then(() => handle(event.data))
    .catch((e: unknown) =>
      post({
        type: 'note',
        level: 'error',
        text: `internal error: ${e instanceof Error ? e.message : String(e)}`,
      }),
    );
});
