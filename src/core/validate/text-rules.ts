// Small parsers for text fields: a pattern, a length, one of a few words.

export type TextResult = { ok: true; value: string } | { ok: false; problem?: string; expected?: string };
/** Checks (and may normalise) the text of one field. */
export type TextParse = (text: string) => TextResult;

export const accept = (value: string): TextResult => ({ ok: true, value });
export const refuse = (problem?: string, expected?: string): TextResult => ({
  ok: false,
  ...(problem === undefined ? {} : { problem }),
  ...(expected === undefined ? {} : { expected }),
});

/** Any text of `min` to `max` characters; with min ≥ 1, blank text counts as empty. */
export function lengthBetween(min: number, max: number): TextParse {
  return (text) => {
    if (min >= 1 && text.trim() === '') return refuse('is empty');
    if (text.length > max) return refuse(`is too long (${text.length} characters)`);
    return accept(text);
  };
}

/** An absolute path (starting with "/") of at most `max` characters, kept as written. */
export function absolutePath(max: number): TextParse {
  return (text) => {
    if (text.trim() === '') return refuse('is empty');
    if (text.length > max) return refuse(`is too long (${text.length} characters)`);
    if (!text.startsWith('/')) return refuse('is not an absolute path');
    if (text.includes('\0')) return refuse('holds a NUL character');
    return accept(text);
  };
}

/** Text matching `re`, kept as written. */
export function matching(re: RegExp): TextParse {
  return (text) => (text === '' ? refuse('is empty') : re.test(text) ? accept(text) : refuse());
}

/** One of a fixed set of words, case-sensitive. */
export function oneOf(values: readonly string[]): TextParse {
  return (text) => (values.includes(text) ? accept(text) : refuse());
}

/** `"a", "b" or "c"`. */
export function quotedList(values: readonly string[]): string {
  const q = values.map((v) => `"${v}"`);
  return q.length <= 1 ? q.join('') : `${q.slice(0, -1).join(', ')} or ${q[q.length - 1]}`;
}

export const NAME_RE = /^[A-Za-z0-9_-]{1,128}$/;
export const NAME_EXPECTED = '1 to 128 letters, digits, "_" or "-" (e.g. "nightly_backup")';
export const CALENDAR_RE = /^[A-Za-z0-9_-]{1,128}$/;
export const HOST_RE = /^\S{1,128}$/;
/** Portable POSIX user names, as useradd accepts them. */
export const USER_RE = /^[A-Za-z_][A-Za-z0-9._-]{0,31}$/;
export const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** An http(s) URL with a host. */
export function httpUrl(text: string): TextResult {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return refuse();
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') return refuse();
  return accept(text);
}
