/** How the server's marshalling (flask-restx) writes values the views share. */

/** `DateTime(dt_format="rfc822")`: `Sat, 05 Dec 2026 11:47:34 -0000`. */
export function rfc822(ms: number): string {
  return new Date(ms).toUTCString().replace("GMT", "-0000");
}

/** `skip_none`: a key whose value is null or an empty object is not marshalled. */
export function skipNone(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    const empty = v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0;
    if (v !== null && !empty) out[k] = v;
  }
  return out;
}
