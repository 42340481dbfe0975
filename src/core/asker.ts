// Who asked for a change and why: the OS user for the CLI, api:<token name> for the HTTP API; the
// events the change causes carry both (data.by, data.note).
import { userInfo } from 'node:os';

export interface Asker {
  by?: string;
  note?: string;
}

/** The fields of an asker that have a value, as event data. */
export function askerData(who: Asker | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (who?.by) out.by = who.by;
  if (who?.note) out.note = who.note;
  return out;
}

/** The user running this process (the CLI's asker); `unknown` where the system cannot tell. */
export function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}
