/** The command a mistyped word most likely meant, to name in the unknown-command message (never to run). */

/**
 * Edits that turn `a` into `b`: a character inserted, deleted or replaced, or two neighbours
 * swapped ("recrod" is 1 from "record"), each counting 1.
 */
export function editDistance(a: string, b: string): number {
  // rows i-2, i-1 and i of the table of distances between a's first i and b's first j characters
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const replace = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      let best = Math.min(previous[j] + 1, row[j - 1] + 1, replace);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, before[j - 2] + 1);
      row.push(best);
    }
    before = previous;
    previous = row;
  }
  return previous[b.length];
}

/**
 * The command `word` is nearest to, when it is near enough to be a typo of it (at most one edit
 * in three characters, and at least one): undefined when none is (no guess is better than a wrong
 * one). Ties go to the first in `commands`.
 */
export function nearestCommand(word: string, commands: readonly string[]): string | undefined {
  const allowed = Math.max(1, Math.floor(word.length / 3));
  let best: { id: string; distance: number } | undefined;
  for (const id of commands) {
    const distance = editDistance(word.toLowerCase(), id.toLowerCase());
    if (distance <= allowed && (best === undefined || distance < best.distance)) best = { id, distance };
  }
  return best?.id;
}
