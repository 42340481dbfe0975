// Where units live and how they are written and removed: only files that carry our marker are touched.
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { EasyTaskError, notFound } from '../core/errors.js';
import { UNIT_MARKER, type UnitScope } from './unit.js';

/** System units in /etc/systemd/system; user units in $XDG_CONFIG_HOME/systemd/user (~/.config/systemd/user). */
export function unitDir(scope: UnitScope, env: NodeJS.ProcessEnv = process.env): string {
  if (scope === 'system') return '/etc/systemd/system';
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'systemd', 'user');
}

/** `easytask` → `easytask.service`; a name with characters systemd would not accept is bad input. */
export function unitFileName(name: string): string {
  const base = name.endsWith('.service') ? name.slice(0, -'.service'.length) : name;
  if (!/^[A-Za-z0-9_.:-]{1,200}$/.test(base)) {
    throw new EasyTaskError('BAD_INPUT', `--name "${name}": use letters, digits and _ . : - (e.g. easytask-batch)`, 2);
  }
  return `${base}.service`;
}

const ours = (file: string): boolean => readFileSync(file, 'utf8').startsWith(UNIT_MARKER);

function refuseForeign(file: string): void {
  if (existsSync(file) && !ours(file)) {
    throw new EasyTaskError('CONFLICT', `${file} was not written by easytask service install; move it away or choose another --name`);
  }
}

function fsError(err: unknown, file: string, scope: UnitScope): EasyTaskError {
  const code = (err as NodeJS.ErrnoException).code;
  const hint = code === 'EACCES' || code === 'EPERM' ? (scope === 'system' ? ': permission denied (run as root, or use --user)' : ': permission denied') : `: ${(err as Error).message}`;
  return new EasyTaskError('INTERNAL', `cannot write ${file}${hint}`);
}

/** Write the unit whole (temporary file, then rename); 'created' or 'replaced'. */
export function writeUnit(dir: string, fileName: string, text: string, scope: UnitScope): { file: string; action: 'created' | 'replaced' } {
  const file = join(dir, fileName);
  refuseForeign(file);
  const existed = existsSync(file);
  try {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, text, { mode: 0o644 });
    renameSync(tmp, file);
  } catch (err) {
    throw fsError(err, file, scope);
  }
  return { file, action: existed ? 'replaced' : 'created' };
}

/** Remove the unit and the `*.wants/` links `systemctl enable` made for it; returns every path removed. */
export function removeUnit(dir: string, fileName: string, scope: UnitScope): string[] {
  const file = join(dir, fileName);
  if (!existsSync(file)) throw notFound(`no unit at ${file}; nothing to remove`);
  refuseForeign(file);
  const removed: string[] = [];
  try {
    for (const link of enableLinks(dir, fileName)) {
      rmSync(link);
      removed.push(link);
    }
    rmSync(file);
  } catch (err) {
    throw fsError(err, file, scope);
  }
  return [file, ...removed];
}

function enableLinks(dir: string, fileName: string): string[] {
  const links: string[] = [];
  for (const sub of readdirSync(dir)) {
    if (!/\.(wants|requires)$/.test(sub)) continue;
    const link = join(dir, sub, fileName);
    try {
      if (lstatSync(link).isSymbolicLink() && basename(readlinkSync(link)) === fileName) links.push(link);
    } catch {
      // No link in this folder.
    }
  }
  return links;
}
