/** Aligned columns for terminal listings (models, workers) and `key  value` blocks (a worker, a user). */
import { displayWidth, oneCell, padEndTo, padStartTo } from "./width.js";

export type Align = "left" | "right";

export interface Column<T> {
  header: string;
  value(row: T): string;
  align?: Align;
}

/**
 * Renders rows as text columns separated by two spaces; the last column is never padded. Columns are measured
 * in terminal columns (a CJK name or an emoji takes two), and every cell is made one line of plain text.
 * `headers: false` leaves the header line out (and its width out of the columns').
 */
export function table<T>(
  rows: readonly T[],
  columns: readonly Column<T>[],
  options: { headers?: boolean } = {},
): string {
  const headers = options.headers !== false;
  const cells = rows.map((row) => columns.map((c) => oneCell(c.value(row))));
  const widths = columns.map((c, i) =>
    Math.max(headers ? displayWidth(c.header) : 0, ...cells.map((r) => displayWidth(r[i] ?? ""))),
  );
  const line = (values: string[]) =>
    values
      .map((v, i) => {
        const last = i === values.length - 1;
        if (columns[i]?.align === "right") return padStartTo(v, widths[i] ?? 0);
        return last ? v : padEndTo(v, widths[i] ?? 0);
      })
      .join("  ")
      .trimEnd();
  const body = cells.map(line);
  return (headers ? [line(columns.map((c) => c.header)), ...body] : body).join("\n");
}

/** `key  value` lines with the values aligned: the details of one worker or user. */
export function keyValues(rows: readonly (readonly [string, string])[]): string {
  return table(
    rows,
    [
      { header: "", value: ([key]) => key },
      { header: "", value: ([, value]) => value },
    ],
    { headers: false },
  );
}

/** `12.3` → `12.3`, null → `-`. */
export function num(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "-";
  return digits === 0 ? String(Math.round(value)) : value.toFixed(digits);
}
