// Schemas built on first use. Building the SDK's few hundred zod schemas at module load was most of the cost
// of `import("horde-sdk")`, and a schema built at top level is a call a bundler must keep, so none of them was
// tree-shaken from a web page. `/* @__PURE__ */ lazySchema(() => …)` fixes both: nothing is built until the
// schema is first used, and an unused one is dropped by the bundler.

/** Every proxy trap, forwarded to the built value (so `set`, `defineProperty`, … reach it too). */
const TRAPS = Object.getOwnPropertyNames(Reflect) as (keyof typeof Reflect & keyof ProxyHandler<object>)[];

/**
 * A value that stands for `build()` and calls it on first use (a property read, `in`, a call, `new`, …),
 * then forwards everything to what it built. Typed as the built value, so `z.infer<typeof X>` works.
 * Not the built object itself: compare schemas by behaviour, not by identity (`X !== X.extend({})` anyway).
 * `instanceof z.ZodType` works (zod checks `_zod.traits`, a property read).
 */
export function lazySchema<T extends object>(build: () => T): T {
  let built: T | undefined;
  const resolve = (): T => {
    built ??= build();
    return built;
  };
  // The proxy's own target stays an empty object; the traps read the built value instead.
  const stand = {};
  const handler: ProxyHandler<object> = {};
  for (const trap of TRAPS) {
    // biome-ignore lint/suspicious/noExplicitAny: forwards each trap's own arguments unchanged
    handler[trap] = (_target: object, ...args: any[]) => (Reflect[trap] as any)(resolve(), ...args);
  }
  // The hot path (zod reads `_zod` of every nested schema it runs): one plain read, receiver the built value.
  handler.get = (_target, key) => (resolve() as Record<PropertyKey, unknown>)[key];
  // A proxy may only report a non-configurable property (zod's `_zod`) that its own target has as well.
  handler.getOwnPropertyDescriptor = (_target, key) => {
    const descriptor = Reflect.getOwnPropertyDescriptor(resolve(), key);
    if (descriptor && !descriptor.configurable) Object.defineProperty(stand, key, descriptor);
    return descriptor;
  };
  return new Proxy(stand, handler) as T;
}
