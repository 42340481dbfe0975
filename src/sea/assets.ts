// Inside a single executable the SQLite addon and the shipped calendars are embedded assets; native
// code can only be loaded from a real file, so each is extracted once into a private cache folder.
import { getAsset, getRawAsset, isSea } from 'node:sea';
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seaCacheDir } from './cache-dir.js';

/** Written by `node build.mjs --sea` as the asset `manifest.json`. */
export interface SeaManifest {
  version: string;
  /** Asset `better_sqlite3.node`, with the first 16 hex digits of its SHA-256. */
  addon: { sha256: string };
  /** Assets `calendars/<file>`, with one hash over all of them. */
  calendars: { sha256: string; files: string[] };
}

export const ADDON_ASSET = 'better_sqlite3.node';
export const MANIFEST_ASSET = 'manifest.json';
export const calendarAsset = (file: string): string => `calendars/${file}`;

let manifest: SeaManifest | null | undefined;

/** The manifest when running as a single executable, else null. */
export function seaManifest(): SeaManifest | null {
  if (manifest === undefined) manifest = isSea() ? (JSON.parse(getAsset(MANIFEST_ASSET, 'utf8')) as SeaManifest) : null;
  return manifest;
}

const bytes = (key: string): Uint8Array => {
  const raw = getRawAsset(key);
  return typeof raw === 'string' ? Buffer.from(raw) : new Uint8Array(raw);
};

/** Write a file whole or not at all: readers never see a half-written addon. */
function writeAtomically(file: string, data: Uint8Array, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data, { mode });
  renameSync(tmp, file);
}

/** The path of the extracted SQLite addon, or undefined when not running as a single executable. */
export function embeddedAddonPath(): string | undefined {
  const m = seaManifest();
  if (!m) return undefined;
  const data = bytes(ADDON_ASSET);
  const file = join(seaCacheDir(), `better_sqlite3-${m.version}-${m.addon.sha256}.node`);
  if (!existsSync(file) || statSync(file).size !== data.byteLength) writeAtomically(file, data, 0o700);
  return file;
}

/** The folder of the extracted shipped calendars, or undefined when not running as a single executable. */
export function embeddedCalendarsDir(): string | undefined {
  const m = seaManifest();
  if (!m) return undefined;
  const dir = join(seaCacheDir(), `calendars-${m.version}-${m.calendars.sha256}`);
  if (m.calendars.files.every((f) => existsSync(join(dir, f)))) return dir;
  // Filled in a private folder, then renamed into place; a concurrent extraction that wins is as good.
  const tmp = `${dir}.${process.pid}.tmp`;
  mkdirSync(tmp, { recursive: true, mode: 0o700 });
  for (const f of m.calendars.files) writeFileSync(join(tmp, f), bytes(calendarAsset(f)), { mode: 0o600 });
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true });
  }
  return dir;
}
