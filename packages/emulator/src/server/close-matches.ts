/**
 * Python's `difflib.get_close_matches` (default `n` 3, `cutoff` 0.6), which flask-restx uses to suggest
 * routes on a 404 (docs/server/errors.md#not-found-help). The suggestions must be the server's to the
 * letter, so this follows difflib's `SequenceMatcher` exactly: no junk function, the "popular element"
 * heuristic for sequences of 200 or more, the longest-match search and its extension, and the
 * real-quick / quick / full ratio cascade. Strings are compared by code point, as Python does.
 */

/** Matches `word` against each possibility; the best `n` scoring at least `cutoff`, best first. */
export function closeMatches(word: string, possibilities: Iterable<string>, n = 3, cutoff = 0.6): string[] {
  const b = Array.from(word);
  const b2j = indexOf(b);
  const scored: [number, string][] = [];
  for (const x of possibilities) {
    const a = Array.from(x);
    if (realQuickRatio(a, b) < cutoff || quickRatio(a, b) < cutoff) continue;
    const score = ratio(a, b, b2j);
    if (score >= cutoff) scored.push([score, x]);
  }
  // heapq.nlargest on (score, text) tuples: higher score first, then the larger text.
  scored.sort((p, q) => q[0] - p[0] || compareCodePoints(q[1], p[1]));
  return scored.slice(0, n).map(([, x]) => x);
}

function compareCodePoints(p: string, q: string): number {
  const a = Array.from(p, (c) => c.codePointAt(0) as number);
  const b = Array.from(q, (c) => c.codePointAt(0) as number);
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  }
  return a.length - b.length;
}

/** `b2j`: where each element occurs in `b`, without the popular ones when `b` is long (autojunk). */
function indexOf(b: readonly string[]): Map<string, number[]> {
  const b2j = new Map<string, number[]>();
  b.forEach((ch, j) => {
    const list = b2j.get(ch);
    if (list) list.push(j);
    else b2j.set(ch, [j]);
  });
  if (b.length >= 200) {
    const ntest = Math.floor(b.length / 100) + 1;
    for (const [ch, list] of b2j) if (list.length > ntest) b2j.delete(ch);
  }
  return b2j;
}

function realQuickRatio(a: readonly string[], b: readonly string[]): number {
  return calculateRatio(Math.min(a.length, b.length), a.length + b.length);
}

function quickRatio(a: readonly string[], b: readonly string[]): number {
  const avail = new Map<string, number>();
  for (const ch of b) avail.set(ch, (avail.get(ch) ?? 0) + 1);
  let matches = 0;
  for (const ch of a) {
    const left = avail.get(ch) ?? 0;
    if (left > 0) matches++;
    avail.set(ch, left - 1);
  }
  return calculateRatio(matches, a.length + b.length);
}

function ratio(a: readonly string[], b: readonly string[], b2j: Map<string, number[]>): number {
  let matches = 0;
  const queue: [number, number, number, number][] = [[0, a.length, 0, b.length]];
  while (queue.length > 0) {
    const [alo, ahi, blo, bhi] = queue.pop() as [number, number, number, number];
    const [i, j, k] = longestMatch(a, b, b2j, alo, ahi, blo, bhi);
    if (k === 0) continue;
    matches += k;
    if (alo < i && blo < j) queue.push([alo, i, blo, j]);
    if (i + k < ahi && j + k < bhi) queue.push([i + k, ahi, j + k, bhi]);
  }
  return calculateRatio(matches, a.length + b.length);
}

function calculateRatio(matches: number, length: number): number {
  return length > 0 ? (2 * matches) / length : 1;
}

/** `find_longest_match`: the longest block, earliest in `a` then in `b`, extended over popular elements. */
function longestMatch(
  a: readonly string[],
  b: readonly string[],
  b2j: Map<string, number[]>,
  alo: number,
  ahi: number,
  blo: number,
  bhi: number,
): [number, number, number] {
  let besti = alo;
  let bestj = blo;
  let bestsize = 0;
  let j2len = new Map<number, number>();
  for (let i = alo; i < ahi; i++) {
    const next = new Map<number, number>();
    for (const j of b2j.get(a[i] as string) ?? []) {
      if (j < blo) continue;
      if (j >= bhi) break;
      const k = (j2len.get(j - 1) ?? 0) + 1;
      next.set(j, k);
      if (k > bestsize) {
        besti = i - k + 1;
        bestj = j - k + 1;
        bestsize = k;
      }
    }
    j2len = next;
  }
  // No element is junk, so only the extension over equal (popular) elements applies.
  while (besti > alo && bestj > blo && a[besti - 1] === b[bestj - 1]) {
    besti--;
    bestj--;
    bestsize++;
  }
  while (besti + bestsize < ahi && bestj + bestsize < bhi && a[besti + bestsize] === b[bestj + bestsize]) {
    bestsize++;
  }
  return [besti, bestj, bestsize];
}
