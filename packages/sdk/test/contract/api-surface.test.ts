// The API surface: every operation of the contract has a request class whose metadata agrees with the
// contract (method, path, path/query/header fields, body model, success statuses), every definition has a
// schema, and every class named in the operation/class table is exported by the package.
import * as sdk from "horde-sdk";
import {
  HordeListResponse,
  HordeRequest,
  HordeResponse,
  operationClassNames,
  type RequestClass,
  requestClasses,
  requestClassFor,
  schemas,
} from "horde-sdk";
import { describe, expect, it } from "vitest";
import { type OperationId, operations } from "../../src/models/generated/operations.js";

const ids = Object.keys(operations) as OperationId[];
const exported = sdk as unknown as Record<string, unknown>;

describe("API surface", () => {
  it("every one of the 90 operations has exactly one request class, and no class serves two", () => {
    expect(ids).toHaveLength(90);
    expect(Object.keys(requestClasses).sort()).toEqual([...ids].sort());
    expect(new Set(Object.values(requestClasses)).size).toBe(90);
    expect(Object.keys(operationClassNames).sort()).toEqual([...ids].sort());
  });

  it.each(ids)("%s: the request class matches the contract", (id) => {
    const op = operations[id];
    const cls = requestClasses[id] as RequestClass;
    const names = operationClassNames[id];
    expect(cls.prototype).toBeInstanceOf(HordeRequest);
    expect(cls.name).toBe(names.request);
    expect(exported[names.request], `${names.request} is not exported`).toBe(cls);
    expect(cls.getHttpMethod()).toBe(op.method);
    expect(cls.getApiEndpointSubpath()).toBe(op.path);
    expect(requestClassFor(op.method, op.path)).toBe(cls);
    expect([...cls.getPathFields()].sort()).toEqual([...op.pathParams].sort());
    expect([...cls.getQueryFields()].sort()).toEqual(op.queryParams.map((q) => q.name).sort());
    const wantsKey = op.headerParams.some((h) => h.name === "apikey");
    expect(cls.getHeaderFields().includes("apikey"), "apikey header").toBe(wantsKey);
    expect(cls.getApiModelName()).toBe(op.body);

    // every success status the contract declares with a body is answered by the class the table names
    const pairs = cls.getSuccessStatusResponsePairs();
    const declared = Object.entries(op.responses as Record<string, string | null>).filter(
      ([status, def]) => /^2/.test(status) && def !== null,
    );
    for (const [status, def] of declared) {
      const responseClass = pairs[Number(status)];
      expect(responseClass, `${id} ${status}`).toBeDefined();
      if (!responseClass) continue;
      expect(responseClass.prototype).toBeInstanceOf(HordeResponse);
      const isList = (op.responseArrays as readonly number[]).includes(Number(status));
      expect(responseClass.prototype instanceof HordeListResponse, `${id} ${status} list`).toBe(isList);
      if (!isList && names.hand === null) expect(responseClass.getApiModelName()).toBe(def);
    }
    expect(Object.fromEntries(Object.entries(pairs).map(([s, c]) => [s, c.name]))).toEqual(
      Object.fromEntries(Object.entries(names.responses).map(([s, c]) => [s, c])),
    );
    for (const c of Object.values(pairs)) expect(exported[c.name], `${c.name} is not exported`).toBe(c);
  });

  it("every definition of the contract has a schema", () => {
    expect(schemas.definitionNames).toHaveLength(130);
    for (const name of schemas.definitionNames) {
      expect(typeof schemas.definitions[name]?.safeParse, name).toBe("function");
    }
  });

  it("every request class documents its headers: Client-Agent always, X-Fields where masks are possible", () => {
    for (const id of ids) {
      const cls = requestClasses[id] as RequestClass;
      expect(cls.getHeaderFields()).toEqual(expect.arrayContaining(["accept", "client_agent"]));
    }
    expect(requestClasses.get_workers.getHeaderFields()).toContain("x_fields");
    expect(requestClasses.post_transfer_kudos.getHeaderFields()).toContain("idempotency_key");
  });
});
