// Emits src/models/generated/shortcuts.ts: the read shortcuts (SHORTCUTS in names.mjs) as the methods of an
// abstract class that the client and its sessions extend, so `client.getWorkers()` is a real method, with the
// contract's summary as its doc comment (imported by codegen.mjs).

import { NAMES, PATH_PARAM_RULES, SHORTCUTS } from "./names.mjs";

const lit = (v) => JSON.stringify(v);
const camel = (name) => name.replace(/_([a-z])/g, (_m, c) => c.toUpperCase());
const oneLine = (text) =>
  String(text ?? "")
    .replace(/\s+/g, " ")
    .trim()
    .replaceAll("*/", "*\\/");

/**
 * @param {object} ctx
 * @param {Array<{path: string, method: string, op: object, params: object[]}>} ctx.ops
 * @param {(what: string) => string} ctx.header
 * @param {Record<string, {request: string, hand: string | null, responses: Record<number, string>}>} ctx.classTable
 */
export function generateShortcuts({ ops, header, classTable }) {
  const byId = new Map(ops.map((o) => [o.op.operationId, o]));
  const unknown = Object.keys(SHORTCUTS).filter((id) => !byId.has(id));
  if (unknown.length > 0) throw new Error(`names.mjs SHORTCUTS: unknown operations ${unknown.join(", ")}`);
  const names = new Set();

  const fromClasses = new Set(); // names imported from ./classes.js
  const fromHand = new Map(); // module -> names
  const methods = [];
  for (const [id, shortcut] of Object.entries(SHORTCUTS)) {
    const { path, method, op, params } = byId.get(id);
    if (method !== "get") throw new Error(`SHORTCUTS.${id}: only GET operations get a read shortcut`);
    if (names.has(shortcut.name)) throw new Error(`SHORTCUTS: ${shortcut.name} is used twice`);
    names.add(shortcut.name);
    const { request: cls, hand } = NAMES[id];
    const responses = [...new Set(Object.values(classTable[id].responses))];
    // A hand-written request's module defines its response classes too (the heartbeat); generated ones are in classes.js.
    const imports = hand ? (fromHand.get(hand) ?? new Set()) : fromClasses;
    if (hand) fromHand.set(hand, imports);
    imports.add(cls);
    for (const name of responses) imports.add(`type ${name}`);
    const input = hand ? `NonNullable<ConstructorParameters<typeof ${cls}>[0]>` : `${cls}Input`;
    if (!hand) fromClasses.add(`type ${cls}Input`);
    const pathParams = params.filter((p) => p.in === "path").map((p) => p.name);
    const args = pathParams.map(
      (p) => `${camel(p)}: ${PATH_PARAM_RULES[p]?.acceptsNumber ? "string | number" : "string"}`,
    );
    const rest = pathParams.length > 0 ? `Omit<${input}, ${pathParams.map(lit).join(" | ")}>` : input;
    const fields = pathParams.map(
      (p) => `${p}: ${PATH_PARAM_RULES[p]?.acceptsNumber ? `String(${camel(p)})` : camel(p)}`,
    );
    const build = fields.length > 0 ? `{ ...query, ${fields.join(", ")} }` : "query";
    const docs = [`${oneLine(op.summary)}.`, `\`GET ${path}\`.`];
    if (shortcut.note) docs.push(oneLine(shortcut.note));
    docs.push(`Sends a {@link ${cls}}.`);
    methods.push(
      [
        `  /** ${docs.join(" ")} */`,
        `  async ${shortcut.name}(${[...args, `query: ${rest} = {}`, "options?: SubmitOptions"].join(", ")}): Promise<${responses.join(" | ")}> {`,
        `    return this.submitRequest(new ${cls}(${build}), options);`,
        "  }",
      ].join("\n"),
    );
  }

  const sortNames = (set) =>
    [...set].sort((a, b) => {
      const x = a.replace(/^type /, "");
      const y = b.replace(/^type /, "");
      return x < y ? -1 : x > y ? 1 : 0;
    });
  const out = [header("Read shortcuts")];
  out.push('import type { HordeRequest, SubmitOptions } from "../../core/messages.js";');
  for (const [module, list] of [...fromHand.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    out.push(`import { ${sortNames(list).join(", ")} } from "../${module}.js";`);
  }
  out.push(
    `import {\n${sortNames(fromClasses)
      .map((n) => `  ${n},`)
      .join("\n")}\n} from "./classes.js";`,
  );
  out.push("");
  out.push(
    [
      "/**",
      ' * Typed methods for the read endpoints people use every day: `getWorkers({ type: "image" })`,',
      " * `getUser(1)`, `findUser()`, … Each takes its path parameters, then the request's other fields (`apikey`",
      " * to use another key, `x_fields` to mask the answer, query parameters), then the per-call options. They",
      " * are async: invalid input rejects, it never throws. Writes have no shortcut: build the request class and",
      " * call `submitRequest` (a POST, PUT or PATCH that may have reached the server is never repeated",
      " * automatically; a kudos transfer only deduplicates with your own `idempotency_key`).",
      " */",
      "export abstract class ReadShortcuts {",
      "  /** Send one request: the client's pipeline, or a session's (which tracks the jobs it starts). */",
      "  abstract submitRequest<Q extends HordeRequest>(",
      "    request: Q,",
      "    options?: SubmitOptions,",
      '  ): Promise<NonNullable<Q["~response"]>>;',
      "",
      methods.join("\n\n"),
      "}",
      "",
    ].join("\n"),
  );
  return { text: out.join("\n"), shortcuts: methods.length };
}
