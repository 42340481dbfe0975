import { describe, expect, it } from 'vitest';
import { environmentAssignment, execWord } from '../../../src/service/quote.js';
import { renderUnit, stopTimeoutSeconds, UNIT_MARKER, type UnitOptions } from '../../../src/service/unit.js';

const base: UnitOptions = {
  scope: 'system',
  command: ['/usr/bin/node', '/opt/easytask/bin/easytask'],
  home: '/var/lib/easytask',
  queues: ['batch', 'reports'],
  graceSeconds: 30,
  killGraceSeconds: 10,
  version: '0.1.0',
};

describe('renderUnit', () => {
  it('writes a system unit: restart on failure, KillMode=mixed, the stop timeout after grace and kill grace', () => {
    expect(renderUnit(base)).toBe(
      [
        '# Written by `easytask service install` (EasyTask 0.1.0); remove it with `easytask service uninstall`.',
        '[Unit]',
        'Description=EasyTask scheduler and agent (home /var/lib/easytask)',
        'Wants=network-online.target',
        'After=network-online.target time-sync.target',
        '',
        '[Service]',
        'Type=simple',
        'Environment=EASYTASK_HOME=/var/lib/easytask',
        "# The daemon starts in the home of the user it runs as; each job starts in its own user's home",
        "# (or its task's cwd) whatever this is.",
        'WorkingDirectory=~',
        'ExecStart=/usr/bin/node /opt/easytask/bin/easytask daemon --home /var/lib/easytask --queue batch --queue reports --grace 30 --kill-grace 10',
        'Restart=on-failure',
        'RestartSec=5s',
        '# SIGTERM goes to the daemon alone: it stops triggering, gives running attempts --grace seconds,',
        '# then terminates them (SIGTERM, SIGKILL after --kill-grace). systemd kills what is left after:',
        '# 30 + 10 + 5 s margin.',
        'KillMode=mixed',
        'KillSignal=SIGTERM',
        'TimeoutStopSec=45s',
        '',
        '[Install]',
        'WantedBy=multi-user.target',
        '',
      ].join('\n'),
    );
  });

  it('writes a user unit for default.target, without the system-only network target', () => {
    const text = renderUnit({ ...base, scope: 'user', command: ['/usr/local/bin/easytask'], queues: [], graceSeconds: 120, killGraceSeconds: 5 });
    expect(text.startsWith(`${UNIT_MARKER} (EasyTask 0.1.0); remove it with \`easytask service uninstall --user\`.\n`)).toBe(true);
    expect(text).not.toContain('network-online');
    expect(text).toContain('\nExecStart=/usr/local/bin/easytask daemon --home /var/lib/easytask --grace 120 --kill-grace 5\n');
    expect(text).toContain('\nTimeoutStopSec=130s\n');
    expect(text).toContain('\nWorkingDirectory=~\n');
    expect(text).toContain('\nWantedBy=default.target\n');
  });

  it('stops after grace + kill grace + 5 s', () => {
    expect(stopTimeoutSeconds({ graceSeconds: 0, killGraceSeconds: 0 })).toBe(5);
  });
});

describe('systemd quoting', () => {
  it('quotes words with spaces, and escapes %, $, quotes and backslashes', () => {
    expect(execWord('/srv/my home')).toBe('"/srv/my home"');
    expect(execWord('a%b')).toBe('a%%b');
    expect(execWord('q$1')).toBe('"q$$1"');
    expect(execWord('say "hi" \\ ok')).toBe('"say \\"hi\\" \\\\ ok"');
    expect(execWord('')).toBe('""');
  });

  it('quotes an Environment= assignment as a whole', () => {
    expect(environmentAssignment('EASYTASK_HOME', '/srv/a b%')).toBe('"EASYTASK_HOME=/srv/a b%%"');
    expect(environmentAssignment('EASYTASK_HOME', '/srv/x')).toBe('EASYTASK_HOME=/srv/x');
  });
});
