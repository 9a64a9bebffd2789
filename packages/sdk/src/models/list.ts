import { HordeResponse } from "../core/messages.js";
import type { HordeAPIObject } from "../core/model.js";

/** What a list response needs of its item class: build an item from data the list schema has validated. */
export interface ListItemClass<T extends HordeAPIObject = HordeAPIObject> {
  new (input: never): T;
  /** Builds an item from data already checked by the list's schema, so a long list is validated once, not twice. */
  fromValidated(data: unknown): T;
  readonly name: string;
}

/**
 * A response whose body is a JSON array (e.g. GET `/v2/workers`): `items` holds one item object per
 * element. Iterable, with `length` and `at()`; `toJSON()` gives the array back, as the server sent it.
 */
export abstract class HordeListResponse<T extends HordeAPIObject = HordeAPIObject>
  extends HordeResponse
  implements Iterable<T>
{
  /** The class of one element. Subclasses set it. */
  declare static readonly itemClass: ListItemClass;
  /** The elements, in the server's order. */
  declare readonly items: readonly T[];

  /** Number of elements. */
  get length(): number {
    return this.items.length;
  }

  /** The element at `index` (negative counts from the end), as `Array.prototype.at`. */
  at(index: number): T | undefined {
    return this.items.at(index);
  }

  /** Iterates the items, so a list works in `for…of` and spreads. */
  [Symbol.iterator](): Iterator<T> {
    return this.items[Symbol.iterator]();
  }

  /** The wire form: the JSON array. */
  override toJSON(): Record<string, unknown> {
    // A list is not a record, but every consumer of toJSON (JSON.stringify, dumps, hashing) handles arrays.
    return this.items.map((item) => item.toJSON()) as unknown as Record<string, unknown>;
  }

  protected override hydrate(data: Record<string, unknown>): Record<string, unknown> {
    const ctor = this.constructor as typeof HordeListResponse;
    const elements = data as unknown as unknown[];
    return { items: Object.freeze(elements.map((element) => ctor.itemClass.fromValidated(element))) };
  }
}
