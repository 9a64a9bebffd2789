// The rewriting behind convert-citations.mjs: old citations of the shared ai-horde-api.md into citations of
// docs/server pages, through a citation map (see loadCitationMap).
import { CITATION, lineAt } from "./doc-citations.mjs";

/** The shared document the `§` numbers belong to when no other document is named. */
const MAPPED_DOC = "ai-horde-api";

/** Other shared documents whose `§` numbers the map does not cover: left alone and reported. */
const OTHER_DOCS = new Set(["ts-ecosystem", "horde-sdk-python", "ratings-api"]);

/** `§ header of ai-horde-api.md`: the document's title block. */
const HEADER = /§ header of (?:(?:[\w.-]+\/)*docs\/)?ai-horde-api\.md/g;

/**
 * `§5.1`, `§1.2–§1.5`, optionally after a document name (`ai-horde-api §6.1`, `docs/ai-horde-api.md §0.2`,
 * `ts-ecosystem §3.11`). A section number never takes a trailing dot (`§9.1.` ends a sentence).
 */
const SECTION =
  /(?:((?:[\w.-]+\/)*([a-z0-9]+(?:-[a-z0-9]+)+)(?:\.md)?[ \t]+))?§(\d+(?:\.\d+)*)(?:[ \t]*[–—-][ \t]*§(\d+(?:\.\d+)*))?/g;

/** @typedef {{ sections: Record<string, string>, files: Record<string, string> }} CitationMap */
/** @typedef {{ line: number, text: string, reason: string }} Left */

/**
 * Rewrites the old citations of one source text.
 * @param {string} text
 * @param {CitationMap} map
 * @returns {{ text: string, converted: number, left: Left[] }}
 */
export function convertText(text, map) {
  let converted = 0;
  /** @type {Left[]} */
  const left = [];
  /** @param {string} section */
  const target = (section) => (Object.hasOwn(map.sections, section) ? map.sections[section] : undefined);

  // No replacement adds or removes a line break, so a line number in any pass is the line in `text`.
  let out = text.replace(HEADER, (whole) => {
    const to = target("header");
    if (to === undefined) return whole;
    converted++;
    return to;
  });

  const sectionsIn = out;
  out = out.replace(SECTION, (whole, prefix, doc, from, to, offset) => {
    const line = lineAt(sectionsIn, offset);
    const named = doc !== undefined && (doc === MAPPED_DOC || OTHER_DOCS.has(doc));
    if (named && doc !== MAPPED_DOC) {
      left.push({ line, text: whole, reason: `a section of ${doc}.md, which the map does not cover` });
      return whole;
    }
    const keep = prefix !== undefined && !named ? prefix : "";
    const first = target(from);
    const last = to === undefined ? undefined : target(to);
    if (first === undefined || (to !== undefined && last === undefined)) {
      left.push({ line, text: whole, reason: `no entry for §${first === undefined ? from : to} in the map` });
      return whole;
    }
    converted++;
    if (last === undefined) return keep + first;
    const [firstPage, lastPage] = [first.split("#")[0], last.split("#")[0]];
    return keep + (firstPage === lastPage ? firstPage : `${first} to ${last}`);
  });

  const pathsIn = out;
  out = out.replace(CITATION, (whole, file, anchor, offset) => {
    const page = Object.hasOwn(map.files, file) ? map.files[file] : undefined;
    if (page === undefined) return whole;
    if (anchor !== undefined) {
      left.push({
        line: lineAt(pathsIn, offset),
        text: whole,
        reason: "an anchor of a page the map replaces",
      });
      return whole;
    }
    converted++;
    return page;
  });

  return { text: out, converted, left };
}

/**
 * Whether a text still holds something the converter would change or report (used for files it skips).
 * @param {string} text
 * @param {CitationMap} map
 */
export function hasOldCitations(text, map) {
  const { converted, left } = convertText(text, map);
  return converted + left.length > 0;
}
