// Small building blocks shared by the generated request classes (generated/classes.ts) and the hand-written ones.
import * as z from "zod";

/** `T` without its index signature (`[k: string]: unknown` of loose objects): only the declared fields. */
export type KnownFields<T> = {
  [K in keyof T as string extends K ? never : number extends K ? never : symbol extends K ? never : K]: T[K];
};

/**
 * An `X-Fields` response mask (flask-restx): either the top-level fields to keep, typed as a subset of the
 * response model's fields, or the raw mask string (which may select nested fields, e.g.
 * `"generations{img,seed},done"`). Fields the response model requires are always added to the mask, so a
 * masked response still validates.
 */
export type XFieldsMask<M> = readonly Extract<keyof KnownFields<M>, string>[] | string;

/**
 * The constructor input of a request class: the declared fields of its schema (no index signature, so a
 * misspelt field is a type error), with `x_fields` typed against the response model `M` when the operation
 * supports masks.
 */
export type RequestInput<S extends z.ZodType, M = never> = [M] extends [never]
  ? KnownFields<z.input<S>>
  : Omit<KnownFields<z.input<S>>, "x_fields"> & {
      /** Which response fields to return (the `X-Fields` header); see {@link XFieldsMask}. */
      x_fields?: XFieldsMask<M>;
    };

/** The `X-Fields` header field (see XFieldsMask): a mask string or a list of field names. */
export const xFieldsShape = {
  /** Which response fields to return (the `X-Fields` header). */
  x_fields: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
};

/**
 * A string parameter whose known values are listed for autocomplete (`"a" | "b" | (string & {})`) but not
 * enforced: the server decides, and it may accept more than the contract's prose lists.
 */
export function openString<const T extends readonly string[]>(
  _known: T,
): z.ZodType<T[number] | (string & {}), string> {
  return z.string() as unknown as z.ZodType<T[number] | (string & {}), string>;
}

/** The top-level field names of a flask-restx mask string (`a,b{c,d},e` -> a, b, e). */
export function topLevelMaskFields(mask: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of mask) {
    if (ch === "{") depth++;
    if (ch === "}") depth = Math.max(0, depth - 1);
    if (ch === "," && depth === 0) {
      out.push(current);
      current = "";
      continue;
    }
    current += ch;
  }
  out.push(current);
  return out.map((f) => f.replace(/\{.*$/s, "").trim()).filter((f) => f !== "");
}

/**
 * `prepareInput` for requests with an `X-Fields` mask: add the response model's required fields to the mask
 * (flask-restx would leave them out, and the response would then fail validation). Nested masks are the
 * caller's responsibility.
 */
export function withRequiredMaskFields(input: unknown, required: readonly string[]): unknown {
  if (typeof input !== "object" || input === null) return input;
  const mask = (input as { x_fields?: unknown }).x_fields;
  if (mask === undefined || mask === null) return input;
  if (Array.isArray(mask)) {
    const missing = required.filter((f) => !mask.includes(f));
    return missing.length === 0 ? input : { ...input, x_fields: [...mask, ...missing] };
  }
  if (typeof mask === "string") {
    const present = new Set(topLevelMaskFields(mask));
    const missing = required.filter((f) => !present.has(f));
    return missing.length === 0 ? input : { ...input, x_fields: [mask, ...missing].join(",") };
  }
  return input;
}
