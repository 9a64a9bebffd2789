import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createServer as createHttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { codeInWarning, describeNetworkFailure, isBlockedPort, neverSent } from "../src/network-errors.js";
import { closedPort, run, tempDir } from "./helpers.js";

const servers: { close(): unknown }[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** Starts a local server on a free port and returns the port. */
async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return typeof address === "object" && address ? address.port : 0;
}

const KEY = "network-test-key-0123456789";

/** `horde generate` (a submit: never retried when it may have reached the server) against `url`. */
async function generateAt(url: string, ...extra: string[]) {
  const r = await run([
    "generate",
    "a cat",
    "--out",
    await tempDir(),
    "--url",
    url,
    "--api-key",
    KEY,
    ...extra,
  ]);
  // Whatever went wrong, the key is never printed.
  expect(r.stdout + r.stderr).not.toContain(KEY);
  return r;
}

describe("server and network errors: exit 3, one line, a hint at --local", () => {
  it("port 9, a port fetch refuses: says so plainly and what to do", async () => {
    const r = await generateAt("http://127.0.0.1:9/api", "--timeout", "2");
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.errLines).toHaveLength(1);
    // Node's fetch refuses "bad ports" (9 is discard) with a bare `bad port`: the line says what that means.
    expect(r.errLines[0]).toBe(
      "horde: cannot reach http://127.0.0.1:9/api: port 9 is one that fetch refuses to connect to " +
        "(it belongs to another protocol); serve the API on another port, e.g. 7001, and fix --url",
    );
  });

  it("a refused connection, retried by the SDK until --timeout", async () => {
    const port = await closedPort();
    const started = Date.now();
    const r = await generateAt(`http://127.0.0.1:${port}/api`, "--timeout", "1");
    expect(r.code).toBe(3);
    expect(r.errLines).toHaveLength(1);
    expect(r.errLines[0]).toMatch(
      new RegExp(`^horde: cannot reach http://127\\.0\\.0\\.1:${port}/api.*ECONNREFUSED.*--local`),
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe("what the line says for each way a connection fails (real sockets)", () => {
  it("https to a plain-HTTP port: the TLS handshake fails; use http://", async () => {
    const port = await listen(createHttpServer((_req, res) => res.end("{}")));
    const r = await generateAt(`https://127.0.0.1:${port}/api`);
    expect(r.code).toBe(3);
    expect(r.errLines).toEqual([
      `horde: cannot reach https://127.0.0.1:${port}/api: the TLS handshake with 127.0.0.1:${port} failed ` +
        "(ERR_SSL_WRONG_VERSION_NUMBER); if the server speaks plain HTTP, use http://; fix --url",
    ]);
  });

  it("a server that hangs up: the connection closed before an answer", async () => {
    const port = await listen(createServer((socket: Socket) => socket.destroy()));
    const r = await generateAt(`http://127.0.0.1:${port}/api`);
    expect(r.code).toBe(3);
    expect(r.errLines).toHaveLength(1);
    expect(r.errLines[0]).toMatch(
      new RegExp(
        `^horde: cannot reach http://127\\.0\\.0\\.1:${port}/api: the connection to 127\\.0\\.0\\.1:${port} was closed before an answer \\((UND_ERR_SOCKET|ECONNRESET)\\); try again`,
      ),
    );
  });

  it("a port that does not speak HTTP: is it the right port?", async () => {
    const port = await listen(createServer((socket: Socket) => socket.end("SSH-2.0-OpenSSH_9.6\r\n\r\n")));
    const r = await generateAt(`http://127.0.0.1:${port}/api`);
    expect(r.code).toBe(3);
    expect(r.errLines).toHaveLength(1);
    expect(r.errLines[0]).toMatch(
      // The submit was sent, so it may have run: the line says so (and the lookup could not reach it either).
      /did not answer in HTTP \(HPE_[A-Z_]+\); is it the right port\? Fix --url; the image submit may have reached the server and be running \(the server could not be asked\); see 'horde user' for your account's requests$/,
    );
  });

  const openssl = (() => {
    try {
      execFileSync("openssl", ["version"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  })();
  it.skipIf(!openssl)(
    "a self-signed certificate: not trusted, and how to trust it (needs openssl)",
    async () => {
      const dir = await tempDir();
      execFileSync(
        "openssl",
        ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"].concat([
          "-keyout",
          join(dir, "key.pem"),
          "-out",
          join(dir, "cert.pem"),
          "-days",
          "1",
          "-subj",
          "/CN=127.0.0.1",
        ]),
        { stdio: "ignore" },
      );
      const server = createHttpsServer(
        { key: await readFile(join(dir, "key.pem")), cert: await readFile(join(dir, "cert.pem")) },
        (_req, res) => res.end("{}"),
      );
      const port = await listen(server);
      const r = await generateAt(`https://127.0.0.1:${port}/api`);
      expect(r.code).toBe(3);
      expect(r.errLines).toHaveLength(1);
      expect(r.errLines[0]).toMatch(
        /the TLS certificate of 127\.0\.0\.1 is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT: self[- ]signed certificate\); .*NODE_EXTRA_CA_CERTS/,
      );
    },
  );

  it("a kudos transfer that cannot connect says that no kudos were moved", async () => {
    const r = await run([
      "kudos",
      "transfer",
      "bob#1",
      "5",
      "--url",
      "http://127.0.0.1:6000/api",
      "--api-key",
      KEY,
    ]);
    expect(r.code).toBe(3);
    expect(r.errLines).toHaveLength(1);
    expect(r.errLines[0]).toMatch(
      /^horde: cannot reach http:\/\/127\.0\.0\.1:6000\/api: port 6000 .*; no kudos were moved$/,
    );
    expect(r.stderr).not.toContain(KEY);
  });
});

describe("--timeout on commands that only read", () => {
  /** A server that accepts connections and never answers. */
  const silent = () => listen(createServer(() => {}));

  it.each([
    ["models"],
    ["workers"],
    ["user"],
    ["check", "0b7e3c1a-5d2f-4c9e-8a6b-1f2e3d4c5b6a", "--type", "image"],
  ])("horde %s gives up after --timeout with exit 3", async (...command) => {
    const port = await silent();
    const started = Date.now();
    const r = await run([...command, "--url", `http://127.0.0.1:${port}/api`, "--timeout", "0.5"]);
    expect(r.code).toBe(3);
    expect(r.errLines).toEqual([
      `horde: timed out after 0.5s waiting for http://127.0.0.1:${port}/api to answer; check your network, or try --local for the built-in emulator`,
    ]);
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

describe("a blocked port while the SDK retries a read", () => {
  it("--timeout still names the blocked port (the SDK's retry warnings do not)", async () => {
    const r = await run(["models", "--url", "http://127.0.0.1:6000/api", "--timeout", "0.5"]);
    expect(r.code).toBe(3);
    expect(r.errLines).toEqual([
      "horde: cannot reach http://127.0.0.1:6000/api (gave up after 0.5s): port 6000 is one that fetch refuses " +
        "to connect to (it belongs to another protocol); serve the API on another port, e.g. 7001, and fix --url",
    ]);
    expect(isBlockedPort("http://127.0.0.1:6000/api")).toBe(true);
    expect(isBlockedPort("http://127.0.0.1:7001/api")).toBe(false);
    expect(isBlockedPort("https://aihorde.net/api")).toBe(false);
  });
});

describe("describeNetworkFailure: each cause in plain words, with what to do", () => {
  const failure = (code: string | undefined, message: string) =>
    new TypeError("fetch failed", { cause: Object.assign(new Error(message), code ? { code } : {}) });
  const target = { url: "https://horde.example:8443/api", urlSetting: "HORDE_URL" };
  it.each([
    [
      "ENOTFOUND",
      "getaddrinfo ENOTFOUND horde.example",
      /^host horde\.example not found \(ENOTFOUND\); check its spelling in HORDE_URL/,
    ],
    [
      "EAI_AGAIN",
      "getaddrinfo EAI_AGAIN horde.example",
      /DNS lookup of horde\.example failed \(EAI_AGAIN\); check your internet connection/,
    ],
    [
      "ECONNREFUSED",
      "connect ECONNREFUSED",
      /^connection refused: nothing listens on horde\.example:8443 .*is the server running\? Otherwise fix HORDE_URL, or try --local/,
    ],
    [
      "ETIMEDOUT",
      "connect ETIMEDOUT",
      /^the connection to horde\.example:8443 timed out \(ETIMEDOUT\); the server may be down/,
    ],
    ["UND_ERR_CONNECT_TIMEOUT", "Connect Timeout Error", /timed out \(UND_ERR_CONNECT_TIMEOUT\)/],
    [
      "EHOSTUNREACH",
      "connect EHOSTUNREACH",
      /^no route to horde\.example \(EHOSTUNREACH\); check your network connection/,
    ],
    ["ECONNRESET", "read ECONNRESET", /closed before an answer \(ECONNRESET\); try again/],
    [
      "UND_ERR_HEADERS_TIMEOUT",
      "Headers Timeout Error",
      /took too long to answer \(UND_ERR_HEADERS_TIMEOUT\)/,
    ],
    [
      "CERT_HAS_EXPIRED",
      "certificate has expired",
      /not valid now \(CERT_HAS_EXPIRED\); check your computer's clock/,
    ],
    [
      "ERR_TLS_CERT_ALTNAME_INVALID",
      "Hostname/IP does not match",
      /is for another host name \(ERR_TLS_CERT_ALTNAME_INVALID\); fix HORDE_URL$/,
    ],
    [
      "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
      "unable to verify the first certificate",
      /not trusted .*NODE_EXTRA_CA_CERTS/,
    ],
    [undefined, "bad port", /^port 8443 is one that fetch refuses to connect to .*fix HORDE_URL$/],
    [
      "ESOMETHINGNEW",
      "something new",
      /^ESOMETHINGNEW: something new; check your network connection and HORDE_URL, or try --local/,
    ],
  ])("%s", (code, message, expected) => {
    expect(describeNetworkFailure(failure(code, message), target)).toMatch(expected);
  });

  it("the default URL has no setting to fix, and --local never suggests --local", () => {
    const line = describeNetworkFailure(failure("ENOTFOUND", "x"), { url: "https://aihorde.net/api" });
    expect(line).toBe(
      "host aihorde.net not found (ENOTFOUND); check its spelling and your internet connection, or try --local for the built-in emulator",
    );
    expect(
      describeNetworkFailure(failure("ECONNRESET", "x"), { url: "http://localhost/api", local: true }),
    ).not.toMatch(/--local/);
  });

  it("neverSent: only failures before a connection existed", () => {
    expect(neverSent(failure(undefined, "bad port"))).toBe(true);
    expect(neverSent(failure("ECONNREFUSED", ""))).toBe(true);
    expect(neverSent(failure("ENOTFOUND", ""))).toBe(true);
    expect(neverSent(failure("DEPTH_ZERO_SELF_SIGNED_CERT", ""))).toBe(true);
    expect(neverSent(failure("ECONNRESET", ""))).toBe(false);
    expect(neverSent(failure("UND_ERR_SOCKET", "other side closed"))).toBe(false);
    expect(neverSent(failure("ETIMEDOUT", ""))).toBe(false);
    expect(neverSent(new Error("boom"))).toBe(false);
  });

  it("codeInWarning finds the code in the SDK's retry warnings", () => {
    expect(
      codeInWarning(
        "GET http://x/api/v2 failed (GET http://x failed: fetch failed (ECONNREFUSED)); retry 1 in 500 ms",
      ),
    ).toBe("ECONNREFUSED");
    expect(codeInWarning("… (UND_ERR_SOCKET)); retry 2 in 900 ms")).toBe("UND_ERR_SOCKET");
    expect(codeInWarning("GET x answered 503; retry 1 in 500 ms")).toBeUndefined();
    expect(codeInWarning(undefined)).toBeUndefined();
  });
});
