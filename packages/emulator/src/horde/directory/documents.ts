/** `GET /v2/documents/{terms,privacy,sponsors}` (docs/server/directory.md#documents): `{html}` or `{markdown}`. */

import { DOCUMENTS, documentHtml, documentMarkdown } from "../reference/documents.js";
import { refuse } from "../refusals.js";

export function getDocument(name: keyof typeof DOCUMENTS, format: string) {
  if (format !== "html" && format !== "markdown") {
    throw refuse.badRequest("'format' needs to be one of ['html', 'markdown']");
  }
  const doc = DOCUMENTS[name];
  return format === "html" ? { html: documentHtml(doc) } : { markdown: documentMarkdown(doc) };
}
