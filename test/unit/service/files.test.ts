import { existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeUnit, unitDir, unitFileName, writeUnit } from '../../../src/service/files.js';
import { launcherCommand } from '../../../src/service/launcher.js';
import { UNIT_MARKER } from '../../../src/service/unit.js';
import { tempHome } from '../../helpers/home.js';

const TEXT = `${UNIT_MARKER} (test)\n[Service]\nExecStart=/bin/true\n`;

describe('unit files', () => {
  it('puts system units in /etc/systemd/system and user units under $XDG_CONFIG_HOME or ~/.config', () => {
    expect(unitDir('system')).toBe('/etc/systemd/system');
    expect(unitDir('user', { XDG_CONFIG_HOME: '/cfg' })).toBe('/cfg/systemd/user');
    expect(unitDir('user', {})).toMatch(/\/\.config\/systemd\/user$/);
  });

  it('names units NAME.service and refuses names systemd would not take', () => {
    expect(unitFileName('easytask')).toBe('easytask.service');
    expect(unitFileName('easytask-batch.service')).toBe('easytask-batch.service');
    expect(() => unitFileName('my unit')).toThrow('--name "my unit": use letters, digits and _ . : - (e.g. easytask-batch)');
  });

  it('creates, then replaces, its own unit; refuses to overwrite a foreign one', () => {
    const dir = join(tempHome(), 'units');
    expect(writeUnit(dir, 'easytask.service', TEXT, 'user')).toEqual({ file: join(dir, 'easytask.service'), action: 'created' });
    expect(writeUnit(dir, 'easytask.service', TEXT + '# again\n', 'user').action).toBe('replaced');
    expect(readFileSync(join(dir, 'easytask.service'), 'utf8')).toBe(TEXT + '# again\n');
    writeFileSync(join(dir, 'other.service'), '[Service]\nExecStart=/bin/true\n');
    expect(() => writeUnit(dir, 'other.service', TEXT, 'user')).toThrow(`${join(dir, 'other.service')} was not written by easytask service install; move it away or choose another --name`);
  });

  it('removes its unit and the links systemctl enable made, and nothing else', () => {
    const dir = join(tempHome(), 'units');
    writeUnit(dir, 'easytask.service', TEXT, 'system');
    mkdirSync(join(dir, 'multi-user.target.wants'));
    symlinkSync(join(dir, 'easytask.service'), join(dir, 'multi-user.target.wants', 'easytask.service'));
    symlinkSync('/lib/systemd/system/cron.service', join(dir, 'multi-user.target.wants', 'cron.service'));
    expect(removeUnit(dir, 'easytask.service', 'system')).toEqual([join(dir, 'easytask.service'), join(dir, 'multi-user.target.wants', 'easytask.service')]);
    expect(lstatSync(join(dir, 'multi-user.target.wants', 'cron.service')).isSymbolicLink()).toBe(true);
    expect(existsSync(join(dir, 'easytask.service'))).toBe(false);
    expect(() => removeUnit(dir, 'easytask.service', 'system')).toThrow(`no unit at ${join(dir, 'easytask.service')}; nothing to remove`);
  });
});

describe('launcherCommand', () => {
  it('is node and the script it ran, or the single executable itself', () => {
    expect(launcherCommand(['/usr/bin/node', '/opt/e/bin/easytask', 'service'], '/usr/bin/node', false)).toEqual(['/usr/bin/node', '/opt/e/bin/easytask']);
    expect(launcherCommand(['/usr/local/bin/easytask', 'easytask', 'service'], '/usr/local/bin/easytask', true)).toEqual(['/usr/local/bin/easytask']);
  });
});
