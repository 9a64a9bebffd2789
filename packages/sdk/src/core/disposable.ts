// The types behind `await using` (explicit resource management), for consumers whose `lib` stops before
// esnext: the published `.d.ts` name `Symbol.asyncDispose`, which `lib: ["es2022", "dom"]` lacks. These are
// the declarations of TypeScript's `esnext.disposable` lib (and of @types/node), so they merge with it.
// Both entry points re-export it (`export type {}`, types only) so that every consumer's program sees it.

declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
    readonly asyncDispose: unique symbol;
  }
  interface Disposable {
    [Symbol.dispose](): void;
  }
  interface AsyncDisposable {
    [Symbol.asyncDispose](): PromiseLike<void>;
  }
}

export {};
