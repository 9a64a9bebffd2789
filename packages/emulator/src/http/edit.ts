/**
 * The handler of an edit of one record by id (`PUT /v2/users/{id}`, `PUT /v2/workers/{id}`,
 * `PATCH /v2/teams/{id}`), in the server's order: the body is checked against its model (400), then the
 * record the path names is looked up (404), then the arguments are read (400) and the edit applied.
 */
import type { Context } from "hono";
import { type ArgSpecs, parseArgs, readValidatedBody } from "./args.js";
import type { BodySchemaName } from "./validation.js";

export function editById<S, R, E>(
  store: S,
  body: BodySchemaName,
  args: ArgSpecs,
  find: (store: S, id: string) => R,
  edit: (store: S, record: R, args: E) => object,
): (c: Context) => Promise<Response> {
  return async (c) => {
    const json = await readValidatedBody(c, body);
    const record = find(store, c.req.param("id") as string);
    return c.json(edit(store, record, parseArgs(c, json, args) as unknown as E), 200);
  };
}
