// Renders the systemd unit that runs `easytask daemon`: pure text from options, so it can be printed and tested.
import { environmentAssignment, execWord } from './quote.js';

export type UnitScope = 'system' | 'user';

export interface UnitOptions {
  scope: UnitScope;
  /** The command that starts EasyTask: [node, launcher] or [single executable]; absolute paths. */
  command: readonly string[];
  /** Absolute home folder. */
  home: string;
  queues: readonly string[];
  graceSeconds: number;
  killGraceSeconds: number;
  version: string;
}

/** The first line of every unit we write; uninstall and re-install only touch files that start with it. */
export const UNIT_MARKER = '# Written by `easytask service install`';

/** Seconds after which systemd gives up on a graceful stop: the daemon's grace, its kill grace, and a margin. */
export const STOP_MARGIN_SECONDS = 5;

export function stopTimeoutSeconds(o: Pick<UnitOptions, 'graceSeconds' | 'killGraceSeconds'>): number {
  return o.graceSeconds + o.killGraceSeconds + STOP_MARGIN_SECONDS;
}

/** The daemon's command line: the home and queues as flags, so `systemctl cat` shows everything. */
export function daemonArgs(o: UnitOptions): string[] {
  const args = [...o.command, 'daemon', '--home', o.home];
  for (const q of o.queues) args.push('--queue', q);
  args.push('--grace', String(o.graceSeconds), '--kill-grace', String(o.killGraceSeconds));
  return args;
}

export function renderUnit(o: UnitOptions): string {
  const system = o.scope === 'system';
  const timeout = stopTimeoutSeconds(o);
  return [
    `${UNIT_MARKER} (EasyTask ${o.version}); remove it with \`easytask service uninstall${system ? '' : ' --user'}\`.`,
    '[Unit]',
    `Description=EasyTask scheduler and agent (home ${o.home.replace(/%/g, '%%')})`,
    ...(system ? ['Wants=network-online.target', 'After=network-online.target time-sync.target'] : []),
    '',
    '[Service]',
    'Type=simple',
    `Environment=${environmentAssignment('EASYTASK_HOME', o.home)}`,
    '# The daemon starts in the home of the user it runs as; each job starts in its own user\'s home',
    '# (or its task\'s cwd) whatever this is.',
    'WorkingDirectory=~',
    `ExecStart=${daemonArgs(o).map(execWord).join(' ')}`,
    'Restart=on-failure',
    'RestartSec=5s',
    '# SIGTERM goes to the daemon alone: it stops triggering, gives running attempts --grace seconds,',
    '# then terminates them (SIGTERM, SIGKILL after --kill-grace). systemd kills what is left after:',
    `# ${o.graceSeconds} + ${o.killGraceSeconds} + ${STOP_MARGIN_SECONDS} s margin.`,
    'KillMode=mixed',
    'KillSignal=SIGTERM',
    `TimeoutStopSec=${timeout}s`,
    '',
    '[Install]',
    `WantedBy=${system ? 'multi-user.target' : 'default.target'}`,
    '',
  ].join('\n');
}
