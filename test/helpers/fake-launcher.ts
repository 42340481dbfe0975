// A launcher standing in for the spawners in daemon tests on a FakeClock: attempts "start" at once
// and end when the test says (or when they are terminated).
import type { AttemptHooks, AttemptLauncher, AttemptResult, AttemptSpec, TerminateReason } from '../../src/attempt/attempt-types.js';
import type { FakeClock } from '../../src/core/clock.js';

export interface Live {
  spec: AttemptSpec;
  end(r: Partial<AttemptResult> & Pick<AttemptResult, 'outcome'>): void;
  terminated?: TerminateReason;
}

export function fakeLauncher(clock: FakeClock): { live: Live[]; launcher: AttemptLauncher } {
  const live: Live[] = [];
  let pid = 50_000;
  const start = (spec: AttemptSpec, hooks: AttemptHooks) => {
    const p = ++pid;
    let resolve!: (r: AttemptResult) => void;
    const result = new Promise<AttemptResult>((r) => (resolve = r));
    const out = (path: string) => ({ path, bytes: 0, lines: 0, truncated: false });
    const entry: Live = {
      spec,
      end: (r) => resolve({ startedAt: clock.now(), endedAt: clock.now(), durationMs: 1, output: { stdout: out(spec.stdoutPath), stderr: out(spec.stderrPath) }, ...r } as AttemptResult),
    };
    live.push(entry);
    hooks.onSpawn?.(p, clock.now());
    return {
      pid: p,
      result,
      terminate: (reason: TerminateReason) => {
        entry.terminated = reason;
        entry.end({ outcome: 'terminated', reason });
      },
    };
  };
  return { live, launcher: { start } satisfies AttemptLauncher };
}
