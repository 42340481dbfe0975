// "Did you mean …?": the nearest known name to a misspelt one, when it is reasonably close.

/** Optimal string alignment distance (Damerau–Levenshtein with adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const prev = rows[i - 1]!;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      row.push(d);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}

/** Case, "_" and "-" do not count: `Trigger-Times` is `trigger_times`. */
const fold = (s: string): string => s.toLowerCase().replace(/[_\-\s]/g, '');

/**
 * The known name closest to `unknown`, or undefined when none is close enough to be a typo.
 * `aliases` maps common synonyms (folded) to a known name, e.g. `timeout` → `max_run_time`.
 */
export function suggest(
  unknown: string,
  known: readonly string[],
  aliases: Readonly<Record<string, string>> = {},
): string | undefined {
  const u = fold(unknown);
  if (u === '') return undefined;
  if (Object.hasOwn(aliases, u)) return aliases[u];
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(u, fold(k));
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  const allowed = u.length <= 3 ? 1 : u.length <= 6 ? 2 : 3;
  if (best !== undefined && bestDistance <= allowed) return best;
  const containing = known.filter((k) => u.length >= 4 && fold(k).includes(u));
  return containing.length === 1 ? containing[0] : undefined;
}
