/**
 * flask-restx's help on a 404 raised inside the API (docs/server/errors.md#not-found-help): when routes of the
 * server resemble the path asked for, the message goes on with "You have requested this URI [path] but did
 * you mean … ?". The resemblance is difflib's, over the server's URL rules with their `<…>` parts removed.
 */
import { closeMatches } from "./close-matches.js";
import { SERVER_URL_RULES } from "./url-rules.js";

/** Rule text without its variables → the rule (the last rule wins, as in the dict the server builds). */
const RULES = new Map<string, string>();
for (const rule of SERVER_URL_RULES) RULES.set(rule.replace(/<.*>/, ""), rule);

/** `path` is the decoded request path, `/api` included (Flask's `request.path`). */
export function withNotFoundHelp(message: string, path: string): string {
  const matches = closeMatches(path, RULES.keys());
  if (matches.length === 0) return message;
  const suggestions = matches.map((m) => RULES.get(m)).join(" or ");
  const lead = message ? `${message.replace(/\.+$/, "")}. ` : "";
  return `${lead}You have requested this URI [${path}] but did you mean ${suggestions} ?`;
}

/** Flask's `request.path`: the percent-decoded path (invalid UTF-8 replaced, as werkzeug does). */
export function decodedPath(rawPath: string): string {
  // Printable ASCII without `%` (every path a URL parser hands over that was not escaped) decodes to itself.
  if (/^[\x20-\x24\x26-\x7e]*$/.test(rawPath)) return rawPath;
  const encoder = new TextEncoder();
  const bytes: number[] = [];
  for (let i = 0; i < rawPath.length; i++) {
    const ch = rawPath[i] as string;
    if (ch === "%" && /^[0-9a-fA-F]{2}$/.test(rawPath.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(rawPath.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      for (const b of encoder.encode(ch)) bytes.push(b);
    }
  }
  return new TextDecoder("utf-8", { fatal: false }).decode(new Uint8Array(bytes));
}
