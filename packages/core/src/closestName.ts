import { distance } from 'fastest-levenshtein';

/**
 * The candidate a misspelt `name` most likely meant, for "did you mean" hints; `undefined` when
 * there are no candidates. Case-insensitive. A candidate that contains the name wins outright
 * (`cache` → `cachePath`, which edit distance would rank below `batch`); otherwise the smallest
 * Levenshtein distance wins, ties going to the earlier candidate.
 */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const other = c.toLowerCase();
    const score = other.includes(lower) ? 0 : distance(lower, other);
    if (score < bestScore) {
      best = c;
      bestScore = score;
    }
  }
  return best;
}
