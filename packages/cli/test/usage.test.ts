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
    ["a bad worker thread count", ["worker", "--dev", "--threads", "0"], /--threads.*1 to 50/],
    [
      "an unknown worker type",
      ["worker", "--dev", "--type", "video"],
      /Allowed choices are image, text, alchemy/,
    ],
    ["an unknown config setting", ["config", "set", "colour", "red"], /url, api-key or client-agent/],
    ["a kudos amount that is not a number", ["kudos", "transfer", "bob#1", "lots"], /at least 1/],
    ["a models type that does not exist", ["models", "--type", "video"], /Allowed choices are image, text/],
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

describe("every command", () => {
  const commands = [
    "generate",
    "text",
    "alchemy",
    "check",
    "status",
    "cancel",
    "models",
    "workers",
    "user",
    "kudos transfer",
    "serve",
    "worker",
    "config",
    "config set",
  ];
  it.each(commands)("%s --help prints its usage and exits 0, sending nothing", async (command) => {
    const deps = forbiddenDeps();
    const r = await run([...command.split(" "), "--help"], { deps });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: horde ${command} `));
    expect(r.stderr).toBe("");
    expect(deps.calls).toEqual([]);
  });
});
