import { describe, expect, it } from "vitest";
import { keyValues, table } from "../src/output/table.js";
import { displayWidth, oneCell, padEndTo, padStartTo, truncateTo } from "../src/output/width.js";

describe("displayWidth: terminal columns, not UTF-16 units", () => {
  it.each([
    ["ASCII", "stable_diffusion", 16],
    ["CJK ideographs take two columns each", "猫の絵", 6],
    ["Hangul syllables", "한국어", 6],
    ["fullwidth letters", "ＡＢＣ", 6],
    ["an emoji (a surrogate pair) takes two", "😺", 2],
    ["an emoji with a skin tone is one picture", "👍🏽", 2],
    ["a ZWJ family is one picture", "👨‍👩‍👧", 2],
    ["a flag is one picture", "🇯🇵", 2],
    ["a text-style symbol takes one, its emoji form two", "❤ ❤️", 4],
    ["combining accents take none", "e\u0301te\u0301", 3],
    ["zero-width space and joiner take none", "a\u200bb\u200dc", 3],
    ["escape sequences take none", "\x1b[1mbold\x1b[0m", 4],
    ["the spinner and bar characters take one", "⠋ █░", 4],
  ])("%s", (_name, text, width) => {
    expect(displayWidth(text)).toBe(width);
  });

  it("pads and cuts by columns", () => {
    expect(padEndTo("猫", 4)).toBe("猫  ");
    expect(padStartTo("😺", 3)).toBe(" 😺");
    expect(padEndTo("too wide", 3)).toBe("too wide");
    expect(truncateTo("猫の絵を描く", 7)).toBe("猫の絵…");
    expect(truncateTo("猫の絵を描く", 8)).toBe("猫の絵…"); // a wide character never straddles the edge
    expect(truncateTo("short", 10)).toBe("short");
    expect(truncateTo("e\u0301e\u0301e\u0301", 2)).toBe("e\u0301…"); // an accent stays with its letter
  });

  it("oneCell turns control characters and escape sequences from the server into spaces", () => {
    expect(oneCell("line one\nline two\ttab")).toBe("line one line two tab");
    expect(oneCell("evil\x1b]0;pwned\x07name\x1b[2J")).toBe("evil name ");
  });
});

describe("table: columns line up on a terminal whatever the characters", () => {
  /** The display column where `needle` starts in `line`. */
  const columnOf = (line: string, needle: string) => displayWidth(line.slice(0, line.indexOf(needle)));

  it("pads wide and combining names by their width", () => {
    const rows = [
      { name: "stable_diffusion", workers: 12 },
      { name: "猫の絵 XL", workers: 3 },
      { name: "Émoji 😺 Diffusion", workers: 105 },
      { name: "Cafe\u0301 Model", workers: 7 },
    ];
    const text = table(rows, [
      { header: "MODEL", value: (r) => r.name },
      { header: "WORKERS", value: (r) => String(r.workers), align: "right" },
      { header: "NOTE", value: () => "x" },
    ]);
    const lines = text.split("\n");
    expect(lines).toHaveLength(5);
    // Every row's right-aligned number ends, and its next column starts, at the same display column.
    const noteColumns = lines.slice(1).map((line) => columnOf(line, "  x") + 2);
    expect(new Set(noteColumns).size).toBe(1);
    expect(columnOf(lines[0] as string, "NOTE")).toBe(noteColumns[0]);
    expect(lines[2]).toBe("猫の絵 XL                 3  x");
  });

  it("keeps a worker's multi-line info on its row", () => {
    const text = keyValues([
      ["name", "山田のワーカー"],
      ["info", "line one\nline two"],
    ]);
    expect(text).toBe("name  山田のワーカー\ninfo  line one line two");
  });
});
