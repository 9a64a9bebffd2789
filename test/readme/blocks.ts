// The code blocks of the READMEs, extracted and type-checked as a user's strict TypeScript project would
// (readme.test.ts also runs them). A block is a fence whose language is ts, typescript, js or javascript; words
// after the language mark what kind of block it is — visible in the Markdown source, e.g. ```ts fragment:
//
//   (no mark)     a whole program: type-checked, then run against an in-process emulator
//   fragment      uses the names of context.ts (client, signal, payload, bytes, …) without declaring them:
//                 type-checked with those names imported (all but the ones the block declares itself), and
//                 run with them bound
//   no-run        type-checked only; the README says why (e.g. a vitest suite, which runs as a file elsewhere)
//
// Any other word is an error, so a typo never turns a block into one that is silently not checked.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

export const repo = fileURLToPath(new URL("../../", import.meta.url));
export const MARKS = ["fragment", "no-run"] as const;
export type Mark = (typeof MARKS)[number];

export interface CodeBlock {
  /** The README, relative to the repository. */
  readme: string;
  /** The line of the opening fence (1-based). */
  line: number;
  language: "ts" | "js";
  marks: ReadonlySet<Mark>;
  code: string;
}

const LANGUAGES: Record<string, "ts" | "js"> = { ts: "ts", typescript: "ts", js: "js", javascript: "js" };
const FENCE = /^```(\S*)(.*)$/;

/** The TypeScript and JavaScript blocks of a Markdown text. Throws on an unknown mark or an unclosed fence. */
export function extractBlocks(markdown: string, readme: string): CodeBlock[] {
  const lines = markdown.split("\n");
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i] ?? "");
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && l.startsWith("```"));
    if (end < 0) throw new Error(`${readme}:${i + 1}: unclosed code fence`);
    const language = LANGUAGES[open[1] ?? ""];
    if (language) {
      const words = (open[2] ?? "").trim().split(/\s+/).filter(Boolean);
      const unknown = words.filter((w) => !(MARKS as readonly string[]).includes(w));
      if (unknown.length > 0) {
        throw new Error(
          `${readme}:${i + 1}: unknown mark ${unknown.join(", ")} (known: ${MARKS.join(", ")})`,
        );
      }
      const code = lines.slice(i + 1, end).join("\n");
      blocks.push({ readme, line: i + 1, language, marks: new Set(words as Mark[]), code });
    }
    i = end;
  }
  return blocks;
}

/** The READMEs whose blocks are checked: the root one, every package's, and the guides (as they are on disk). */
export const READMES = [
  "README.md",
  ...readdirSync(join(repo, "packages"))
    .map((dir) => `packages/${dir}/README.md`)
    .filter((file) => existsSync(join(repo, file))),
  ...readdirSync(join(repo, "docs/guides"))
    .filter((file) => file.endsWith(".md"))
    .map((file) => `docs/guides/${file}`),
];

export function readmeBlocks(): CodeBlock[] {
  return READMES.flatMap((readme) => extractBlocks(readFileSync(join(repo, readme), "utf8"), readme));
}

/** What a fragment imports: every export of context.ts but the machinery that opens and closes it. */
export const contextNames = (contextModule: object): string[] =>
  Object.keys(contextModule).filter(
    (name) => !["openContext", "closeContext", "README_API_KEY"].includes(name),
  );

/** The names a block declares at its top level (imports, variables, functions, classes). */
export function declaredNames(code: string): Set<string> {
  const names = new Set<string>();
  const collect = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) names.add(node.text);
    else if (ts.isObjectBindingPattern(node) || ts.isArrayBindingPattern(node)) {
      for (const element of node.elements) if (!ts.isOmittedExpression(element)) collect(element.name);
    }
  };
  for (const statement of ts.createSourceFile("block.ts", code, ts.ScriptTarget.Latest).statements) {
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) collect(declaration.name);
    } else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name) {
      names.add(statement.name.text);
    } else if (ts.isImportDeclaration(statement) && statement.importClause) {
      const { name, namedBindings } = statement.importClause;
      if (name) names.add(name.text);
      if (namedBindings && ts.isNamespaceImport(namedBindings)) names.add(namedBindings.name.text);
      if (namedBindings && ts.isNamedImports(namedBindings)) {
        for (const element of namedBindings.elements) names.add(element.name.text);
      }
    }
  }
  return names;
}

/**
 * A block as a module: a fragment first imports the context names it does not declare itself, on the module's
 * line 0, so that line n of the module is line n of the block.
 */
export function moduleText(
  block: CodeBlock,
  context: { specifier: string; names: readonly string[] },
): string {
  const declared = declaredNames(block.code);
  const names = context.names.filter((name) => !declared.has(name));
  const prelude = block.marks.has("fragment")
    ? `import { ${names.join(", ")} } from "${context.specifier}";`
    : "";
  return `${prelude}\n${block.code}\nexport {};\n`;
}

export const blockName = (block: CodeBlock): string =>
  `${block.readme.replace(/[/.]/g, "_")}-L${block.line}.${block.language}`;

/**
 * The compiler options of a strict consumer (lib es2022 + dom, Node types), resolving the packages to their
 * sources with the paths of tsconfig.tests.json.
 */
function compilerOptions(): ts.CompilerOptions {
  const json = {
    extends: "./tsconfig.tests.json",
    compilerOptions: { lib: ["es2022", "dom"], types: ["node"], noEmit: true, allowJs: true, checkJs: true },
    files: [],
  };
  return ts.parseJsonConfigFileContent(json, ts.sys, repo).options;
}

let previous: ts.Program | undefined;

/**
 * Type-checks the blocks, each as its own module; returns the errors as `README.md:LINE: message`
 * (the README's line numbers), none when every block compiles.
 */
export function typeCheck(blocks: readonly CodeBlock[], names: readonly string[]): string[] {
  const dir = join(repo, "test/readme/blocks");
  const context = { specifier: "../context.js", names };
  const files = new Map(blocks.map((b) => [join(dir, blockName(b)), b]));
  const options = compilerOptions();
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, languageVersion, ...rest) => {
    const block = files.get(name);
    if (!block) return getSourceFile.call(host, name, languageVersion, ...rest);
    return ts.createSourceFile(name, moduleText(block, context), languageVersion, true);
  };
  host.fileExists = (name) => files.has(name) || fileExists.call(host, name);
  host.readFile = (name) => {
    const block = files.get(name);
    return block ? moduleText(block, context) : readFile.call(host, name);
  };
  const program = ts.createProgram({ rootNames: [...files.keys()], options, host, oldProgram: previous });
  previous = program;
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    if (!d.file || d.start === undefined) return `error TS${d.code}: ${message}`;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    const block = files.get(d.file.fileName);
    // Line 0 of a block module is the prelude, so its line n is the README line fence + n.
    const where = block
      ? `${block.readme}:${block.line + line}`
      : `${relative(repo, d.file.fileName)}:${line + 1}`;
    return `${where}: error TS${d.code}: ${message}`;
  });
}
