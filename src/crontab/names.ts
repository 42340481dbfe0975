// Task names for cron lines: a few words from what the command runs, made unique within one import.

/** Words that say how a command runs rather than what it does. */
const NOISE = new Set(['cd', 'test', '[', '[[', ']', ']]', 'exec', 'sudo', 'nice', 'ionice', 'env', 'nohup', 'timeout', 'flock', 'chronic', 'time', 'sh', 'bash', 'then', 'if', 'fi', 'do', 'done', 'true', 'false', '!']);
const MAX_WORDS = 3;
const MAX_LENGTH = 60;

/** Guards come first in `test -x … || { cd / && run-parts …; }`: the last command is the one that matters. */
function lastCommand(command: string): string {
  const segments = command.split(/&&|\|\||;|[{}()]/).map((s) => s.trim()).filter((s) => s !== '');
  const last = segments.at(-1) ?? '';
  return last.split('|')[0] ?? '';
}

function meaningfulWords(segment: string): string[] {
  const words: string[] = [];
  let skipNext = false;
  for (const raw of segment.split(/\s+/)) {
    const w = raw.replace(/^["']|["']$/g, '');
    if (skipNext || w === '') {
      skipNext = false;
      continue;
    }
    if (/^\d*[<>]/.test(w)) {
      skipNext = /^\d*[<>]+&?$/.test(w); // `> file`: the file goes too
      continue;
    }
    if (w.startsWith('-') || NOISE.has(w) || (words.length === 0 && /^[A-Za-z_]\w*=/.test(w))) continue;
    const base = w.split('/').filter((p) => p !== '').at(-1);
    if (base !== undefined) words.push(base.replace(/\.(sh|bash|py|pl|rb|php|js)$/, ''));
  }
  return words;
}

function slug(words: string[]): string {
  const s = words.join('-').replace(/[^A-Za-z0-9_-]+/g, '-').replace(/-{2,}/g, '-').replace(/^-|-$/g, '');
  return s.length <= MAX_LENGTH ? s : s.slice(0, MAX_LENGTH).replace(/-[^-]*$/, '');
}

/** A name for the command, before making it unique: `run-parts-cron-hourly`, `e2scrub_all`, or `cron`. */
export function baseName(command: string): string {
  return slug(meaningfulWords(lastCommand(command)).slice(0, MAX_WORDS)) || 'cron';
}

/** Hands out names, adding -2, -3… to one already given (or reserved). */
export class NameAllocator {
  private readonly taken: Set<string>;
  constructor(reserved: Iterable<string> = []) {
    this.taken = new Set(reserved);
  }

  next(command: string): string {
    const base = baseName(command);
    let name = base;
    for (let n = 2; this.taken.has(name); n++) name = `${base}-${n}`;
    this.taken.add(name);
    return name;
  }
}
