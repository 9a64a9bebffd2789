import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../src/main.js";
import { forbiddenDeps, run, tempDir } from "./helpers.js";

describe("usage errors: one line on stderr, exit 2, nothing sent", () => {
  const cases: [string, string[], RegExp][] = [
    ["a width that is not a number", ["generate", "a cat", "--width", "abc"], /--width.*'abc' is invalid/],
    ["a width that is not a multiple of 64", ["generate", "a cat", "--width", "500"], /multiple of 64.*512/],
    ["a height out of range", ["generate", "a cat", "--height", "4096"], /--height.*from 64 to 3072/],
    ["n = 0", ["generate", "a cat", "-n", "0"], /-n, --count.*'0' is invalid.*1 to 20/],
    ["n = 21", ["generate", "a cat", "-n", "21"], /1 to 20/],
    ["a fractional step count", ["generate", "a cat", "--steps", "2.5"], /--steps.*whole number/],
    ["an unknown flag", ["generate", "a cat", "--widht", "512"], /unknown option '--widht'.*--width/],
    ["a missing prompt", ["generate"], /missing required argument 'prompt'/],
    ["an empty prompt", ["generate", "   "], /the prompt is empty/],
    ["an unknown sampler", ["generate", "a cat", "--sampler", "euler"], /--sampler.*Allowed choices/],
    ["an unknown command", ["paint", "a cat"], /unknown command 'paint'/],
    ["no command at all", [], /missing command/],
    ["a bad --url", ["generate", "a cat", "--url", "ftp://x"], /--url.*http\(s\) URL/],
    [
      "--local with --url",
      ["generate", "a cat", "--local", "--url", "http://x/api"],
      /cannot be used together/,
    ],
    ["a negative timeout", ["generate", "a cat", "--timeout", "-1"], /--timeout/],
    ["a port out of range", ["serve", "--port", "70000"], /--port.*0 to 65535/],
    ["a bad --seed-user", ["serve", "--seed-user", "bob"], /NAME:KUDOS/],
    ["a short --admin-token", ["serve", "--admin-token", "short"], /--admin-token.*at least 16/],
    ["a bad worker thread count", ["worker", "--dev", "--threads", "0"], /--threads.*1 to 50/],
    [
      "an unknown worker type",
      ["worker", "--dev", "--type", "video"],
      /Allowed choices are image, text, alchemy/,
    ],
    ["an unknown config setting", ["config", "set", "colour", "red"], /url, api-key or client-agent/],
    ["a kudos amount that is not a number", ["kudos", "transfer", "bob#1", "lots"], /at least 1/],
    ["a models type that does not exist", ["models", "--type", "video"], /Allowed choices are image, text/],
    [
      "a command group without its command",
      ["kudos"],
      /^horde: 'horde kudos' needs a command: transfer \(see 'horde kudos --help'\)$/,
    ],
    ["an unknown command of a group", ["kudos", "paint"], /^horde: unknown command 'paint'$/],
    [
      "help about an unknown command",
      ["help", "paint"],
      /^horde: unknown command 'paint' for 'horde' \(see 'horde --help'\)$/,
    ],
    [
      "a group's help about an unknown command",
      ["kudos", "help", "paint"],
      /unknown command 'paint' for 'horde kudos'/,
    ],
    ["an argument config does not take", ["config", "paint"], /too many arguments for 'config'/],
    ["an extra argument", ["check", "an-id", "another"], /too many arguments for 'check'/],
    [
      "--local with --api-key",
      ["generate", "a cat", "--local", "--api-key", "k3y-0123456789"],
      /drop --api-key/,
    ],
    [
      "a zero --timeout on a read command",
      ["models", "--timeout", "0"],
      /--timeout.*positive number of seconds/,
    ],
    ["a --timeout that is not a number", ["check", "an-id", "--timeout", "soon"], /--timeout.*positive/],
  ];
  it.each(cases)("%s", async (_name, args, message) => {
    const deps = forbiddenDeps();
    const r = await run(args, { deps });
    expect(r.code).toBe(2);
    expect(r.errLines).toHaveLength(1);
    expect(r.errLines[0]).toMatch(/^horde: /);
    expect(r.errLines[0]).toMatch(message);
    expect(r.stdout).toBe("");
    expect(deps.calls).toEqual([]);
  });

  it("rejects a bad HORDE_URL from the environment", async () => {
    const deps = forbiddenDeps();
    const r = await run(["generate", "a cat", "--out", await tempDir()], {
      deps,
      env: { HORDE_URL: "nope" },
    });
    expect(r.code).toBe(2);
    expect(r.errLines).toEqual(["horde: HORDE_URL is not an http(s) URL: nope"]);
    expect(deps.calls).toEqual([]);
  });

  it("exits 2 when --out cannot be created, before anything is sent", async () => {
    const deps = forbiddenDeps();
    const file = join(await tempDir(), "a-file");
    await writeFile(file, "not a folder");
    const r = await run(["generate", "a cat", "--out", join(file, "sub")], { deps });
    expect(r.code).toBe(2);
    expect(r.errLines).toHaveLength(1);
    expect(r.errLines[0]).toMatch(/^horde: cannot create the --out folder/);
    expect(deps.calls).toEqual([]);
  });
});

describe("help and version", () => {
  it("prints the generate help on stdout and exits 0", async () => {
    const r = await run(["generate", "--help"], { deps: forbiddenDeps() });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: horde generate \[options\] <prompt\.\.\.>/);
    for (const flag of [
      "--local",
      "--out",
      "-n, --count",
      "--width",
      "--height",
      "--model",
      "--steps",
      "--seed",
      "--json",
    ]) {
      expect(r.stdout).toContain(flag);
    }
    expect(r.stderr).toBe("");
  });

  it("prints the top-level help with environment and exit codes", async () => {
    const r = await run(["--help"], { deps: forbiddenDeps() });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("generate [options] <prompt...>");
    expect(r.stdout).toContain("HORDE_API_KEY");
    expect(r.stdout).toContain("130 interrupted");
  });

  it("horde help <command> prints that command's help and exits 0", async () => {
    const r = await run(["help", "worker"], { deps: forbiddenDeps() });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage: horde worker");
  });

  it("prints the version", async () => {
    const r = await run(["--version"], { deps: forbiddenDeps() });
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe("main(argv, io)", () => {
  it("takes process.argv, or the arguments alone, and needs only stdout and stderr", async () => {
    let out = "";
    let err = "";
    const io = {
      stdout: {
        write: (t: string) => {
          out += t;
        },
      },
      stderr: {
        write: (t: string) => {
          err += t;
        },
      },
    };
    expect(await main(["generate", "--help"], io)).toBe(0);
    expect(out).toContain("Usage: horde generate");
    out = "";
    expect(await main(["/usr/bin/node", "/usr/bin/horde", "generate", "--width", "abc", "x"], io)).toBe(2);
    expect(err).toMatch(/^horde: option '--width <px>' argument 'abc' is invalid/);
    expect(out).toBe("");
  });
});

/** Every command and subcommand: its path, arguments that satisfy it, and whether it talks to a horde. */
const COMMAND_TABLE: [path: string, args: string, talks: boolean][] = [
  ["generate", "a cat", true],
  ["text", "a story", true],
  ["alchemy", "x.png caption", true],
  ["check", "an-id", true],
  ["status", "an-id", true],
  ["cancel", "an-id", true],
  ["jobs", "", false],
  ["resume", "", true],
  ["models", "", true],
  ["workers", "", true],
  ["user", "", true],
  ["kudos", "", false],
  ["kudos transfer", "bob#1 5", true],
  ["serve", "", false],
  ["worker", "--dev", true],
  ["config", "", false],
  ["config set", "url http://x/api", false],
  ["config unset", "url", false],
  ["config path", "", false],
];
const words = (...parts: string[]) =>
  parts
    .join(" ")
    .split(" ")
    .filter((w) => w !== "");

describe("every command and subcommand", () => {
  it.each(COMMAND_TABLE)("horde %s %s --no-such-flag: exit 2, one line, nothing sent", async (path, args) => {
    const deps = forbiddenDeps();
    const r = await run([...words(path, args), "--no-such-flag"], { deps });
    expect(r.code).toBe(2);
    expect(r.errLines).toEqual(["horde: unknown option '--no-such-flag'"]);
    expect(r.stdout).toBe("");
    expect(deps.calls).toEqual([]);
  });

  const missing: [string, string][] = [
    ["generate", "prompt"],
    ["alchemy", "image"],
    ["alchemy x.png", "form"],
    ["check", "id"],
    ["status", "id"],
    ["kudos transfer", "username"],
    ["kudos transfer bob#1", "amount"],
    ["config set", "setting"],
    ["config unset", "setting"],
  ];
  it.each(missing)("horde %s without <%s>: exit 2, one line", async (command, argument) => {
    const r = await run(words(command), { deps: forbiddenDeps() });
    expect(r.code).toBe(2);
    expect(r.errLines).toEqual([`horde: missing required argument '${argument}'`]);
  });

  it.each(COMMAND_TABLE.filter(([path, , talks]) => talks && path !== "worker"))(
    "horde %s has --timeout",
    async (path) => {
      const r = await run([...words(path), "--help"], { deps: forbiddenDeps() });
      expect(r.stdout).toMatch(/--timeout <seconds>/);
    },
  );

  it.each(COMMAND_TABLE)("horde %s --help prints its usage and exits 0, sending nothing", async (path) => {
    const deps = forbiddenDeps();
    const r = await run([...words(path), "--help"], { deps });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: horde ${path} `));
    expect(r.stderr).toBe("");
    expect(deps.calls).toEqual([]);
  });
});
