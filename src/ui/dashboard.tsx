// `easytask watch` on a terminal: the Ink dashboard in the alternate screen, restored however it ends.
import { render, type RenderOptions } from 'ink';
import type { Clock } from '../core/clock.js';
import { EasyTaskError } from '../core/errors.js';
import { sendRequest } from '../control/client.js';
import type { ControlRequest } from '../control/request.js';
import type { Store } from '../store/index.js';
import type { Control } from './commands.js';
import { App } from './components/App.js';
import { Feed } from './feed/feed.js';
import type { NextFireAt } from './feed/snapshot.js';
import { initialState } from './model/reducer.js';
import type { Filter } from './model/types.js';
import { ViewStore } from './view-store.js';
import { yogaReady } from './yoga-ready.js';

export interface DashboardOptions {
  store: Store;
  clock: Clock;
  filter: Filter;
  nextFireAt: NextFireAt;
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
  onRender?: RenderOptions['onRender'];
  pollMs?: number;
}

const ENTER = '\x1b[?1049h\x1b[H\x1b[2J';
const LEAVE = '\x1b[?25h\x1b[?1049l';

/** Control commands go through the same path as the CLI's: a row the daemon acknowledges. */
export function storeControl(store: Store): Control {
  return async (req) => {
    try {
      // The instance always goes along: a name that exists in several instances is not ambiguous here.
      const request: ControlRequest =
        req.kind === 'terminate' ? { kind: 'terminate', target: req.task, run: req.runId, instance: req.instance } : { kind: req.kind, target: req.task, instance: req.instance };
      const ack = await sendRequest(store, request);
      return { ok: ack.ok, message: ack.message };
    } catch (err) {
      return { ok: false, message: err instanceof EasyTaskError ? err.message : String((err as Error).message ?? err) };
    }
  };
}

export async function runDashboard(o: DashboardOptions): Promise<void> {
  await yogaReady();
  const stdout = o.stdout ?? process.stdout;
  const view = new ViewStore(initialState(o.clock.now(), o.filter));
  const feed = new Feed({ store: o.store, clock: o.clock, nextFireAt: o.nextFireAt, dispatch: view.dispatch, pollMs: o.pollMs });
  await feed.start();
  let left = false;
  const leave = () => {
    if (!left) stdout.write(LEAVE);
    left = true;
  };
  stdout.write(ENTER);
  process.once('exit', leave);
  let ink: ReturnType<typeof render> | undefined;
  // Registered before Ink's own handler: wipe the screen so the next frame is drawn whole at the new size.
  const onResize = () => {
    ink?.clear();
    stdout.write('\x1b[H\x1b[2J');
  };
  stdout.prependListener('resize', onResize);
  const stop = () => ink?.unmount();
  process.once('SIGTERM', stop).once('SIGHUP', stop);
  try {
    ink = render(<App view={view} control={storeControl(o.store)} polls={(fn) => feed.onPoll(fn)} />, {
      stdout, stdin: o.stdin ?? process.stdin, exitOnCtrlC: true, patchConsole: true, onRender: o.onRender,
      // An Ink frame of a full screen costs tens of ms of CPU: at most 20 a second, even when events pour in.
      maxFps: 20,
    });
    await ink.waitUntilExit();
  } finally {
    await feed.stop();
    stdout.off('resize', onResize);
    process.off('SIGTERM', stop).off('SIGHUP', stop);
    leave();
  }
}
