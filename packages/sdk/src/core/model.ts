import type * as z from "zod";
import { DEFAULT_SENSITIVE_FIELDS, redactDeep } from "./redact.js";
import { validateWith } from "./validation.js";

/** The construction time of the outermost object being built, while one is. */
let treeTime: number | undefined;

/** Passed to a constructor to skip validation of data a parent schema has already validated. */
class Prevalidated {
  constructor(readonly data: unknown) {}
}

/** A class of HordeAPIObject with its schema; what `parse` and `fromValidated` work on. */
export type HordeModelClass<T extends HordeAPIObject = HordeAPIObject> = {
  new (input: never): T;
  readonly schema: z.ZodType;
  readonly name: string;
};

/**
 * Root of every API object (mirrors horde_sdk's HordeAPIObject): a validated snapshot of a wire document
 * whose fields are own properties under their wire names (snake_case, exactly as sent). Frozen once built,
 * as horde_sdk's models are (`frozen=True`): readonly in the types and at run time. Subclasses therefore
 * declare their fields (`declare readonly x`) and never initialise one: `hydrate` is where values are made.
 */
export abstract class HordeAPIObject {
  /** The zod schema the wire form must satisfy. Subclasses set it. */
  static readonly schema: z.ZodType;
  readonly #timeConstructed: number;

  constructor(input: unknown) {
    // Objects built inside another's construction (its items, its generations) share its timestamp: one
    // clock read per document instead of one per nested object.
    const outermost = treeTime === undefined;
    this.#timeConstructed = treeTime ??= Date.now() / 1000;
    try {
      const ctor = this.constructor as typeof HordeAPIObject;
      const data =
        input instanceof Prevalidated
          ? input.data
          : validateWith(ctor.name, ctor.schema, this.prepareInput(input));
      assignFields(this, this.hydrate(data as Record<string, unknown>));
      Object.freeze(this);
    } finally {
      if (outermost) treeTime = undefined;
    }
  }

  /** Validate `json` (already parsed) and build an instance. Throws HordeValidationError naming the field. */
  static parse<T extends HordeAPIObject>(this: new (input: never) => T, json: unknown): T {
    return new this(json as never);
  }

  /** Build an instance from data a parent schema has already validated (no second validation pass). */
  static fromValidated<T extends HordeAPIObject>(this: new (input: never) => T, data: unknown): T {
    return new this(new Prevalidated(data) as never);
  }

  /** The swagger model this object represents, or null when it has no payload of its own. */
  static getApiModelName(): string | null {
    return null;
  }

  /** Fields that must never be logged or dumped (at any depth). */
  static getSensitiveFields(): Set<string> {
    return new Set(DEFAULT_SENSITIVE_FIELDS);
  }

  /** Extra top-level fields to leave out of `logSafeModelDump` (e.g. large base64 blobs). */
  getExtraFieldsToExcludeFromLog(): Set<string> {
    return new Set();
  }

  /** The wire form with sensitive fields removed, for logs. */
  logSafeModelDump(extraExclude?: Iterable<string>): Record<string, unknown> {
    const ctor = this.constructor as typeof HordeAPIObject;
    const exclude = new Set([...this.getExtraFieldsToExcludeFromLog(), ...(extraExclude ?? [])]);
    return redactDeep(this.toJSON(), ctor.getSensitiveFields(), exclude);
  }

  /** When this object was built, in epoch seconds (float), as horde_sdk's `time_constructed`. */
  get timeConstructed(): number {
    return this.#timeConstructed;
  }

  /** The wire form: every field under its wire name; nested API objects become plain JSON. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(this)) {
      if (value !== undefined) out[key] = toWire(value);
    }
    return out;
  }

  /** A string that is equal for equal objects (the analogue of `__hash__`). */
  hashKey(): string {
    return `${this.constructor.name}:${stableStringify(this.toJSON())}`;
  }

  /** Value equality (the analogue of `__eq__`): same class and same `hashKey()`. */
  equals(other: unknown): boolean {
    return (
      other instanceof HordeAPIObject &&
      other.constructor === this.constructor &&
      other.hashKey() === this.hashKey()
    );
  }

  /** Hook: normalise caller input before validation (e.g. default header fields). */
  protected prepareInput(input: unknown): unknown {
    return input;
  }

  /** Hook: turn validated data into field values (e.g. nested items into their classes). */
  protected hydrate(data: Record<string, unknown>): Record<string, unknown> {
    return data;
  }
}

/**
 * Copy wire fields onto the instance (plain assignment: defineProperty per field was the largest cost of
 * parsing big lists). Fields are read-only in the types. A field named like a method (`equals`) is dropped
 * rather than shadow it.
 */
function assignFields(target: object, data: Record<string, unknown>): void {
  const record = target as Record<string, unknown>;
  for (const key in data) {
    if (key === "__proto__" || typeof record[key] === "function") continue;
    record[key] = data[key];
  }
}

function toWire(value: unknown): unknown {
  if (value instanceof HordeAPIObject) return value.toJSON();
  if (Array.isArray(value)) return value.map(toWire);
  return value;
}

/** JSON with sorted keys, so equal documents give equal strings. */
export function stableStringify(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
      );
    }
    return v;
  });
}
