/**
 * How wide text is on a terminal, in columns: CJK and emoji take two, combining marks and zero-width
 * characters none, a grapheme cluster (a flag, an emoji ZWJ sequence, a letter with its accents) counts once.
 * Tables and the live progress line pad and cut by this width, never by `.length`.
 */

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** East Asian Wide and Fullwidth ranges (Unicode's EastAsianWidth W/F), as [first, last] code points. */
const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f], // Hangul Jamo initials
  [0x2e80, 0x303e], // CJK radicals, Kangxi, CJK symbols and punctuation
  [0x3041, 0x33ff], // Hiragana, Katakana, Bopomofo, Hangul compatibility Jamo, enclosed CJK, CJK compatibility
  [0x3400, 0x4dbf], // CJK extension A
  [0x4e00, 0x9fff], // CJK unified ideographs
  [0xa000, 0xa4cf], // Yi
  [0xa960, 0xa97f], // Hangul Jamo extended A
  [0xac00, 0xd7a3], // Hangul syllables
  [0xf900, 0xfaff], // CJK compatibility ideographs
  [0xfe10, 0xfe19], // vertical forms
  [0xfe30, 0xfe6f], // CJK compatibility forms, small form variants
  [0xff00, 0xff60], // fullwidth forms
  [0xffe0, 0xffe6], // fullwidth signs
  [0x16fe0, 0x16fe4], // ideographic symbols
  [0x17000, 0x18cff], // Tangut
  [0x1b000, 0x1b2ff], // Kana supplement and extensions, Nushu
  [0x1f200, 0x1f2ff], // enclosed ideographic supplement
  [0x20000, 0x3fffd], // CJK extensions B and later
];

function isWide(codePoint: number): boolean {
  for (const [first, last] of WIDE) {
    if (codePoint < first) return false;
    if (codePoint <= last) return true;
  }
  return false;
}

const EMOJI = /\p{Extended_Pictographic}/u;
const EMOJI_PRESENTATION = /\p{Emoji_Presentation}|\uFE0F/u;
const REGIONAL_INDICATOR = /\p{Regional_Indicator}/u;
/** Marks, format characters (ZWJ, ZWSP, soft hyphen), controls: nothing of their own on the screen. */
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}\p{Cc}]/u;
/** CSI and OSC escape sequences (colours, cursor moves, links), which take no room. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are what this matches.
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g;

function graphemeWidth(grapheme: string): number {
  const first = grapheme.codePointAt(0) ?? 0;
  if (EMOJI.test(grapheme) && EMOJI_PRESENTATION.test(grapheme)) return 2;
  if (REGIONAL_INDICATOR.test(grapheme)) return 2;
  if (isWide(first)) return 2;
  if (ZERO_WIDTH.test(grapheme)) return 0;
  return 1;
}

/** The number of terminal columns `text` takes (escape sequences take none). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const { segment } of graphemes.segment(text.replace(ANSI, ""))) width += graphemeWidth(segment);
  return width;
}

/** `text` followed by spaces up to `width` columns. */
export function padEndTo(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - displayWidth(text)));
}

/** Spaces then `text`, up to `width` columns. */
export function padStartTo(text: string, width: number): string {
  return " ".repeat(Math.max(0, width - displayWidth(text))) + text;
}

/**
 * `text` cut to at most `width` columns, ending in `…` when something was cut. Never splits a grapheme (a wide
 * character that would straddle the edge is dropped). For plain text: escape sequences are not kept whole.
 */
export function truncateTo(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width <= 0) return "";
  let out = "";
  let used = 0;
  for (const { segment } of graphemes.segment(text)) {
    const w = graphemeWidth(segment);
    if (used + w > width - 1) break;
    out += segment;
    used += w;
  }
  return `${out}…`;
}

/**
 * Text from the server (worker names and infos, model names, results) made safe for one terminal cell: control
 * characters (newlines, tabs, escape sequences a stranger could use to move the cursor or retitle the window)
 * become spaces.
 */
export function oneCell(text: string): string {
  return text.replace(ANSI, " ").replace(/[\p{Cc}\u2028\u2029]/gu, " ");
}
