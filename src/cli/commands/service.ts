// easytask service install|uninstall: a systemd unit that runs the daemon for one home.
import type { Command } from 'commander';
import pkg from '../../../package.json' with { type: 'json' };
import { DEFAULTS } from '../../core/defaults.js';
import { action, homeFor, intOption, out } from '../context.js';

interface UnitOpts {
  user?: boolean;
  name: string;
  unitDir?: string;
}

interface InstallOpts extends UnitOpts {
  queue: string[];
  grace: number;
  killGrace: number;
  print?: boolean;
}

const modules = async () => ({
  ...(await import('../../service/unit.js')),
  ...(await import('../../service/files.js')),
  ...(await import('../../service/launcher.js')),
});

/** What to type next: systemctl and journalctl, with --user for user units. */
function nextSteps(unit: string, user: boolean): string[] {
  const u = user ? ' --user' : '';
  return [
    'Enable and start it:',
    `  systemctl${u} daemon-reload`,
    `  systemctl${u} enable --now ${unit}`,
    ...(user ? [`  loginctl enable-linger ${process.env.USER ?? '$USER'}   # keep it running while you are logged out`] : []),
    'Then:',
    `  systemctl${u} status ${unit}`,
    `  journalctl${u} -u ${unit} -f`,
  ];
}

function addUnitOptions(cmd: Command): Command {
  return cmd
    .option('--user', 'a user unit (~/.config/systemd/user) instead of a system unit (/etc/systemd/system)')
    .option('--name <unit>', 'the unit name, for several homes on one machine', 'easytask')
    .option('--unit-dir <dir>', 'write into this folder instead (packaging, a chroot)');
}

export function registerServiceCommand(program: Command): void {
  const service = program.command('service').description('install or remove the systemd unit that runs `easytask daemon`');

  addUnitOptions(service.command('install'))
    .description('write a systemd unit for the daemon of this home (--home, $EASYTASK_HOME, …) and say how to enable it')
    .option('--queue <name>', 'the daemon also serves this run_on_host queue (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--grace <seconds>', "the daemon's --grace; the unit's stop timeout is grace + kill grace + 5 s", intOption('--grace', 0, 86400), DEFAULTS.shutdownGraceSeconds)
    .option('--kill-grace <seconds>', "the daemon's --kill-grace", intOption('--kill-grace', 0, 3600), DEFAULTS.killGraceSeconds)
    .option('--print', 'print the unit instead of writing it')
    .addHelpText('after', '\nExamples:\n  sudo easytask --home /var/lib/easytask service install --queue batch\n  easytask service install --user --print')
    .action(action(async function (this: Command, o: InstallOpts) {
      const { renderUnit, launcherCommand, unitDir, unitFileName, writeUnit } = await modules();
      const scope = o.user ? 'user' : 'system';
      const fileName = unitFileName(o.name);
      const home = homeFor(this);
      const text = renderUnit({
        scope, command: launcherCommand(), home, queues: o.queue, graceSeconds: o.grace, killGraceSeconds: o.killGrace, version: pkg.version,
      });
      if (o.print) {
        process.stdout.write(text);
        return;
      }
      const { file, action: done } = writeUnit(o.unitDir ?? unitDir(scope), fileName, text, scope);
      out(`${done === 'created' ? 'Wrote' : 'Replaced'} ${file} (the daemon for home ${home}).`);
      for (const line of nextSteps(fileName, !!o.user)) out(line);
    }));

  addUnitOptions(service.command('uninstall'))
    .description('remove the unit written by `service install` (and its enable links)')
    .action(action(async function (this: Command, o: UnitOpts) {
      const { removeUnit, unitDir, unitFileName } = await modules();
      const scope = o.user ? 'user' : 'system';
      const fileName = unitFileName(o.name);
      const [file, ...links] = removeUnit(o.unitDir ?? unitDir(scope), fileName, scope);
      out(`Removed ${file}${links.length ? ` and ${links.join(', ')}` : ''}.`);
      const u = o.user ? ' --user' : '';
      out('Stop the daemon it started and let systemd forget the unit:');
      out(`  systemctl${u} stop ${fileName}`);
      out(`  systemctl${u} daemon-reload`);
    }));
}
