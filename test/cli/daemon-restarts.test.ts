import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { startDaemonProcess } from '../helpers/daemon-process.js';
import { tempHome } from '../helpers/home.js';
import { waitFor } from '../helpers/wait.js';

const CYCLES = 100;

describe('crash safety', () => {
  it(`${CYCLES} start / kill -9 cycles with a task due every second: no duplicate and no lost slot`, async () => {
    const home = tempHome();
    cli(home, ['insert', '-'], { input: JSON.stringify({ name: 'tick', cmd: 'true', cron: '* * * * * *', catch_up: 'all', overlap: 'allow', timezone: 'UTC' }) });
    for (let i = 0; i < CYCLES; i++) {
      const d = await startDaemonProcess(home);
      await new Promise((r) => setTimeout(r, (i * 37) % 400));
      d.child.kill('SIGKILL');
      await d.exited;
    }
    const last = await startDaemonProcess(home);
    const runs = () => JSON.parse(cli(home, ['runs', '--json', '-n', '1000000']).stdout) as { slot: string; state: string; origin: string }[];
    await waitFor(() => runs().every((r) => ['SUCCESS', 'FAILED', 'SKIPPED'].includes(r.state)) || undefined, 'every run to settle', 60_000, 200);
    last.child.kill('SIGTERM');
    await last.exited;
    const all = runs();
    const slots = all.map((r) => Date.parse(r.slot)).sort((a, b) => a - b);
    expect(new Set(slots).size).toBe(slots.length);
    const seconds = (slots.at(-1)! - slots[0]!) / 1000 + 1;
    expect(slots.length).toBe(seconds); // every second from the first slot to the last has exactly one run
    expect(all.filter((r) => r.state === 'SKIPPED')).toEqual([]); // catch_up all: missed seconds ran
    expect(slots.length).toBeGreaterThan(CYCLES / 4);
  }, 300_000);
});
