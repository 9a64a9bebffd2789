/**
 * How the server cleans the free text users give names and notes (`bleach.clean`, then trimmed): markup
 * characters are escaped; entities that are already escaped stay as they are.
 */
export function sanitize(text: string): string {
  return text
    .replace(/&(?!(?:[a-zA-Z][a-zA-Z0-9]*|#\d+|#x[0-9a-fA-F]+);)/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .trim();
}
