/**
 * The documents of `/v2/documents/*` (docs/server/directory.md#documents). The emulator is a different
 * service from aihorde.net, so it serves its own short texts, in the server's shape (a title, sections of
 * paragraphs), rendered as HTML or as Markdown with setext headings the way the server's converter writes
 * them. DEVIATION(docs/server/deviations.md#own-documents): the content is not the server's.
 */

export interface HordeDocument {
  title: string;
  sections: { heading?: string; paragraphs: string[] }[];
}

export const DOCUMENTS: Record<"terms" | "privacy" | "sponsors", HordeDocument> = {
  terms: {
    title: "Terms and Conditions",
    sections: [
      {
        paragraphs: [
          "This is horde-emulator, a local stand-in for the AI Horde that runs on your own machine for development and tests. It is not aihorde.net and is not operated by the AI Horde.",
        ],
      },
      {
        heading: "Use",
        paragraphs: [
          "You may use this emulator for any purpose. It comes without any warranty: its images and texts are drawn by simulated workers, and its kudos, users and keys have no value outside it.",
          "The terms of the real AI Horde apply only to the real service, at https://aihorde.net.",
        ],
      },
    ],
  },
  privacy: {
    title: "Privacy Policy",
    sections: [
      {
        paragraphs: [
          "horde-emulator keeps everything it receives (prompts, images, users and keys) in the memory of the process that runs it, and forgets it when that process stops or is reset.",
        ],
      },
      {
        heading: "Data sharing",
        paragraphs: ["Nothing is sent anywhere else: the emulator makes no outgoing connections of its own."],
      },
    ],
  },
  sponsors: {
    title: "Sponsors",
    sections: [
      {
        paragraphs: [
          "horde-emulator has no sponsors. The real AI Horde lists the people and organisations that support it at https://aihorde.net.",
        ],
      },
    ],
  },
};

const escapeHtml = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function documentHtml(doc: HordeDocument): string {
  const parts = [`<h1>${escapeHtml(doc.title)}</h1>`];
  for (const s of doc.sections) {
    if (s.heading) parts.push(`<h2>${escapeHtml(s.heading)}</h2>`);
    for (const p of s.paragraphs) parts.push(`<p>${escapeHtml(p)}</p>`);
  }
  return `${parts.join("\n")}\n`;
}

export function documentMarkdown(doc: HordeDocument): string {
  const heading = (text: string, mark: string) => `${text}\n${mark.repeat(text.length)}`;
  const parts = [heading(doc.title, "=")];
  for (const s of doc.sections) {
    if (s.heading) parts.push(heading(s.heading, "-"));
    parts.push(...s.paragraphs);
  }
  return parts.join("\n\n");
}
