/**
 * Styles and collections (docs/server/directory.md#styles-and-collections): a style is a prompt template
 * (`{p}`, `{np}`) with models and params that a generate request can name; a collection groups styles of
 * one kind, and a request naming it gets one of them at random.
 */
import { randomUUID } from "node:crypto";

export type StyleKind = "image" | "text";

export interface StyleExample {
  id: string;
  url: string;
  primary: boolean;
}

export interface Style {
  id: string;
  kind: StyleKind;
  ownerId: number;
  name: string;
  info: string;
  prompt: string;
  params: Record<string, unknown>;
  models: string[];
  tags: string[];
  public: boolean;
  nsfw: boolean;
  sharedKeyId: string | null;
  useCount: number;
  examples: StyleExample[];
  createdAt: number;
}

export interface Collection {
  id: string;
  kind: StyleKind;
  ownerId: number;
  name: string;
  info: string;
  public: boolean;
  styleIds: string[];
  useCount: number;
  createdAt: number;
}

export type StyleInput = Omit<Style, "id" | "useCount" | "examples" | "createdAt">;
export type CollectionInput = Omit<Collection, "id" | "useCount" | "createdAt">;

export class Styles {
  private styles = new Map<string, Style>();
  private collections = new Map<string, Collection>();

  reset(): void {
    this.styles.clear();
    this.collections.clear();
  }

  create(input: StyleInput, now: number): Style {
    const style: Style = { ...input, id: randomUUID(), useCount: 0, examples: [], createdAt: now };
    this.styles.set(style.id, style);
    return style;
  }

  find(id: string): Style | undefined {
    return this.styles.get(id.toLowerCase());
  }

  /** Styles in creation order. */
  all(): Style[] {
    return [...this.styles.values()];
  }

  /** Deleting a style takes it out of every collection. */
  delete(style: Style): void {
    this.styles.delete(style.id);
    for (const c of this.collections.values()) c.styleIds = c.styleIds.filter((id) => id !== style.id);
  }

  addExample(style: Style, url: string, primary: boolean): StyleExample {
    const example: StyleExample = { id: randomUUID(), url, primary };
    style.examples.push(example);
    return example;
  }

  /** The example with this id, on any style. */
  findExample(id: string): { style: Style; example: StyleExample } | undefined {
    for (const style of this.styles.values()) {
      const example = style.examples.find((e) => e.id === id.toLowerCase());
      if (example) return { style, example };
    }
    return undefined;
  }

  deleteExample(style: Style, example: StyleExample): void {
    style.examples = style.examples.filter((e) => e !== example);
  }

  createCollection(input: CollectionInput, now: number): Collection {
    const collection: Collection = { ...input, id: randomUUID(), useCount: 0, createdAt: now };
    this.collections.set(collection.id, collection);
    return collection;
  }

  findCollection(id: string): Collection | undefined {
    return this.collections.get(id.toLowerCase());
  }

  allCollections(): Collection[] {
    return [...this.collections.values()];
  }

  deleteCollection(collection: Collection): void {
    this.collections.delete(collection.id);
  }
}
