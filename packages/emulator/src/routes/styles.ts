/**
 * Styles, style examples and collections (docs/server/directory.md#styles-and-collections):
 * `/v2/styles/{image,text}[/{id}]`, `/v2/styles/{image,text}_by_name/{name}`,
 * `/v2/styles/image/{id}/example[/{example_id}]`, `/v2/collections[/{id}]`, `/v2/collection_by_name/{name}`.
 */
import { Hono } from "hono";
import type { HordeStore } from "../horde/store/store.js";
import type { StyleKind } from "../horde/store/styles.js";
import {
  type CollectionArgs,
  createCollection,
  deleteCollection,
  getCollection,
  getCollectionByName,
  listCollections,
  modifyCollection,
} from "../horde/styles/collections.js";
import { addExample, deleteExample, modifyExample } from "../horde/styles/examples.js";
import {
  createStyle,
  deleteStyle,
  getStyle,
  getStyleByName,
  listStyles,
  modifyStyle,
  type StyleArgs,
} from "../horde/styles/styles.js";
import { type ArgSpecs, parseArgs, readValidatedBody } from "../http/args.js";
import type { BodySchemaName } from "../http/validation.js";

const API_KEY = {
  type: "str",
  location: "headers",
  required: true,
  help: "The API Key corresponding to a registered user.",
} as const;
const MOD_KEY = { ...API_KEY, help: "A mod API key." } as const;

const LIST_ARGS: ArgSpecs = {
  sort: {
    type: "str",
    location: "args",
    default: "popular",
    help: "How to sort returned styles. 'popular' sorts by usage and 'age' sorts by date added.",
  },
  page: {
    type: "int",
    location: "args",
    default: 1,
    help: "Which page of results to return. Each page has 25 styles.",
  },
  tag: { type: "str", location: "args", help: "If included, will only return styles with this tag" },
  model: { type: "str", location: "args", help: "If included, will only return styles using this model" },
};

/** The server parses both a new style and a PATCH with this parser. */
const STYLE_ARGS: ArgSpecs = {
  apikey: API_KEY,
  name: { type: "str", location: "json", required: true, help: "The name of the style." },
  info: { type: "str", location: "json", help: "Extra information about this style." },
  prompt: { type: "str", location: "json", default: "{p}{np}", help: "The prompt to generate from." },
  params: { type: "dict", location: "json", help: "Extra generate params to send to the worker." },
  public: { type: "bool", location: "json", default: true },
  nsfw: { type: "bool", location: "json", default: false },
  tags: {
    type: "list",
    location: "json",
    help: "Tags describing this style. Can be used for style discovery.",
  },
  models: {
    type: "list",
    location: "json",
    help: "Tags describing this style. Can be used for style discovery.",
  },
  sharedkey: {
    type: "str",
    location: "json",
    help: "The UUID of a shared key which will be used to generate with this style if active.",
  },
};

const EXAMPLE_ARGS: ArgSpecs = {
  apikey: { ...API_KEY, help: "A User API key" },
  url: {
    type: "str",
    location: "json",
    required: true,
    default: "popular",
    help: "The url where this image is hosted",
  },
  primary: {
    type: "bool",
    location: "json",
    required: true,
    default: 1,
    help: "Whether this image is meant to be the primary example of this style",
  },
};
const EXAMPLE_PATCH_ARGS: ArgSpecs = {
  apikey: EXAMPLE_ARGS.apikey as ArgSpecs[string],
  url: { ...(EXAMPLE_ARGS.url as ArgSpecs[string]), required: false },
  primary: { ...(EXAMPLE_ARGS.primary as ArgSpecs[string]), required: false },
};

const COLLECTION_LIST_ARGS: ArgSpecs = {
  sort: { ...(LIST_ARGS.sort as ArgSpecs[string]) },
  page: { ...(LIST_ARGS.page as ArgSpecs[string]) },
  type: {
    type: "str",
    location: "args",
    default: "all",
    help: "Filter by type. Accepts either 'image', 'text' or 'all'.",
  },
};
const COLLECTION_ARGS: ArgSpecs = {
  apikey: API_KEY,
  name: { type: "str", location: "json", required: true },
  info: { type: "str", location: "json" },
  public: { type: "bool", location: "json", default: true },
  styles: { type: "list", location: "json", required: true },
};
const COLLECTION_PATCH_ARGS: ArgSpecs = {
  apikey: API_KEY,
  name: { type: "str", location: "json" },
  info: { type: "str", location: "json" },
  public: { type: "bool", location: "json" },
  styles: { type: "list", location: "json" },
};

const BODIES: Record<StyleKind, { create: BodySchemaName; patch: BodySchemaName }> = {
  image: { create: "ModelStyleInputStable", patch: "ModelStylePatchStable" },
  text: { create: "ModelStyleInputKobold", patch: "ModelStylePatchKobold" },
};

export function styleRoutes(store: HordeStore): Hono {
  const app = new Hono();

  for (const kind of ["image", "text"] as const) {
    const base = `/v2/styles/${kind}`;
    app.get(base, (c) => {
      const q = parseArgs(c, null, LIST_ARGS) as {
        sort: string;
        page: number;
        tag: string | null;
        model: string | null;
      };
      return c.json(listStyles(store, kind, q), 200);
    });
    app.post(base, async (c) => {
      const args = parseArgs(c, await readValidatedBody(c, BODIES[kind].create), STYLE_ARGS);
      return c.json(createStyle(store, kind, args as unknown as StyleArgs), 200);
    });
    app.get(`/v2/styles/${kind}_by_name/:name`, (c) =>
      c.json(getStyleByName(store, kind, c.req.param("name")), 200),
    );
    app.get(`${base}/:id`, (c) => c.json(getStyle(store, kind, c.req.param("id")), 200));
    app.patch(`${base}/:id`, async (c) => {
      const args = parseArgs(c, await readValidatedBody(c, BODIES[kind].patch), STYLE_ARGS);
      return c.json(modifyStyle(store, kind, c.req.param("id"), args as unknown as StyleArgs), 200);
    });
    app.delete(`${base}/:id`, (c) => {
      const { apikey } = parseArgs(c, null, { apikey: MOD_KEY });
      return c.json(deleteStyle(store, c.req.param("id"), apikey as string), 200);
    });
  }

  type ExampleArgs = { apikey: string; url: string; primary: boolean };
  app.post("/v2/styles/image/:id/example", async (c) => {
    const body = await readValidatedBody(c, "InputModelStyleExamplePost");
    const args = parseArgs(c, body, EXAMPLE_ARGS) as unknown as ExampleArgs;
    return c.json(addExample(store, c.req.param("id"), args), 200);
  });
  app.patch("/v2/styles/image/:id/example/:example", async (c) => {
    const body = await readValidatedBody(c, "InputStyleExamplePost");
    const args = parseArgs(c, body, EXAMPLE_PATCH_ARGS) as unknown as ExampleArgs;
    return c.json(modifyExample(store, c.req.param("id"), c.req.param("example"), args), 200);
  });
  app.delete("/v2/styles/image/:id/example/:example", (c) => {
    const { apikey } = parseArgs(c, null, { apikey: MOD_KEY });
    return c.json(deleteExample(store, c.req.param("id"), c.req.param("example"), apikey as string), 200);
  });

  app.get("/v2/collections", (c) => {
    const q = parseArgs(c, null, COLLECTION_LIST_ARGS) as { sort: string; page: number; type: string };
    return c.json(listCollections(store, q), 200);
  });
  app.post("/v2/collections", async (c) => {
    const args = parseArgs(c, await readValidatedBody(c, "InputModelCollection"), COLLECTION_ARGS);
    return c.json(createCollection(store, args as unknown as CollectionArgs), 200);
  });
  app.get("/v2/collection_by_name/:name", (c) =>
    c.json(getCollectionByName(store, c.req.param("name")), 200),
  );
  app.get("/v2/collections/:id", (c) => c.json(getCollection(store, c.req.param("id")), 200));
  app.patch("/v2/collections/:id", async (c) => {
    const args = parseArgs(c, await readValidatedBody(c, "InputModelCollection"), COLLECTION_PATCH_ARGS);
    return c.json(modifyCollection(store, c.req.param("id"), args as unknown as CollectionArgs), 200);
  });
  app.delete("/v2/collections/:id", (c) => {
    const { apikey } = parseArgs(c, null, { apikey: MOD_KEY });
    return c.json(deleteCollection(store, c.req.param("id"), apikey as string), 200);
  });
  return app;
}
