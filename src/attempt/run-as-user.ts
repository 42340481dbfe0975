// Turns `run_as_user` into a uid/gid the agent may switch to, or says clearly why it cannot.
import { readFile } from 'node:fs/promises';
import { execa } from 'execa';

export interface OsUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

/** What the spawn switches to; absent when the attempt runs as the daemon's own user. */
export interface RunAs {
  uid: number;
  gid: number;
  /** For messages. */
  name?: string;
}

export type UserCheck =
  | { ok: true; user: OsUser; runAs?: RunAs }
  | { ok: false; reason: 'user_error'; message: string };

/** Find a user by name (or numeric uid) in /etc/passwd, then through `getent` (LDAP, sssd…). */
export async function lookupUser(nameOrUid: string, passwdFile = '/etc/passwd'): Promise<OsUser | undefined> {
  const local = await readFile(passwdFile, 'utf8').catch(() => '');
  const hit = findInPasswd(local, nameOrUid);
  if (hit || passwdFile !== '/etc/passwd') return hit;
  const getent = await execa('getent', ['passwd', nameOrUid], { reject: false, stdin: 'ignore' });
  return getent.failed ? undefined : findInPasswd(String(getent.stdout), nameOrUid);
}

/** Parse passwd(5) text and return the entry whose name, or else whose uid, matches. */
export function findInPasswd(text: string, nameOrUid: string): OsUser | undefined {
  const users = text
    .split('\n')
    .map(parsePasswdLine)
    .filter((u): u is OsUser => u !== undefined);
  return users.find((u) => u.name === nameOrUid) ?? (/^\d+$/.test(nameOrUid) ? users.find((u) => u.uid === Number(nameOrUid)) : undefined);
}

function parsePasswdLine(line: string): OsUser | undefined {
  const f = line.split(':');
  if (f.length < 7 || f[0] === '' || f[0]!.startsWith('#')) return undefined;
  const uid = Number(f[2]);
  const gid = Number(f[3]);
  if (!Number.isInteger(uid) || !Number.isInteger(gid) || f[2] === '' || f[3] === '') return undefined;
  return { name: f[0]!, uid, gid, home: f[5]!, shell: f[6]! };
}

/** May a daemon running as `daemonUid` start processes as `user`? Root may; others only as themselves. */
export function checkRunAsUser(user: OsUser, daemonUid: number, requested = user.name): UserCheck {
  if (daemonUid === 0) {
    return { ok: true, user, runAs: { uid: user.uid, gid: user.gid, name: user.name } };
  }
  if (user.uid === daemonUid) return { ok: true, user };
  return { ok: false, reason: 'user_error', message: needsRootMessage(requested, daemonUid) };
}

export function needsRootMessage(requested: string, daemonUid: number): string {
  return `run_as_user "${requested}" needs the daemon to run as root (it runs as uid ${daemonUid})`;
}

/** Look the user up and check the daemon may switch to it. */
export async function resolveRunAsUser(name: string, daemonUid = currentUid()): Promise<UserCheck> {
  const user = await lookupUser(name);
  if (!user) return { ok: false, reason: 'user_error', message: `run_as_user "${name}" is not a known user on this host` };
  return checkRunAsUser(user, daemonUid, name);
}

export function currentUid(): number {
  return process.getuid?.() ?? -1;
}

/** The uid/gid a spawn switches to: only as root (anyone else has already failed with user_error, or is that user). */
export function spawnIds(runAs: RunAs | undefined): { uid: number; gid: number } | undefined {
  return runAs !== undefined && currentUid() === 0 ? { uid: runAs.uid, gid: runAs.gid } : undefined;
}
