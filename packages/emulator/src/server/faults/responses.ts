/** The responses and errors a fault produces. */
import type { FaultRule } from "./plan.js";

/** What the in-process `fetch` rejects with when a fault drops the connection: like undici's. */
export function connectionResetError(): TypeError {
  const cause = Object.assign(new Error("other side closed"), {
    code: "UND_ERR_SOCKET",
    name: "SocketError",
  });
  return new TypeError("fetch failed", { cause });
}

/** Thrown inside the emulator to say "drop this connection"; the front door turns it into a reset. */
export class ConnectionDropped extends Error {
  constructor() {
    super("connection dropped by a fault plan");
  }
}

const REASONS: Record<number, string> = {
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
  520: "Web Server Returned an Unknown Error",
  522: "Connection Timed Out",
};

const reason = (status: number) => REASONS[status] ?? "Error";

/** An application 5xx in the server's JSON shape. */
export function errorResponse(rule: FaultRule): Response {
  const status = rule.status ?? 500;
  return Response.json({ message: reason(status) }, { status });
}

/** A reverse proxy's error page (nginx by default): HTML, no CORS headers. */
export function htmlResponse(rule: FaultRule): Response {
  const status = rule.status ?? 502;
  const title = `${status} ${reason(status)}`;
  const body =
    `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n` +
    "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
  return new Response(body, { status, headers: { "Content-Type": "text/html", Server: "nginx" } });
}

/** A rate-limit 429 as the server sends it (docs/server/rate-limits.md#429-responses-and-headers). */
export function rateLimitResponse(rule: FaultRule, now: number): Response {
  const retry = rule.retryAfterS ?? 1;
  return Response.json(
    { message: rule.message ?? "2 per 1 second" },
    {
      status: 429,
      headers: {
        "Retry-After": String(retry),
        "X-RateLimit-Limit": "2",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": String(Math.floor(now / 1000) + retry + 1),
      },
    },
  );
}

/** The same response with its body cut in half: the headers say JSON, the bytes are not. */
export async function malformed(response: Response): Promise<Response> {
  const text = await response.text();
  const cut = text.length > 1 ? text.slice(0, Math.floor(text.length / 2)) : "{";
  const headers = new Headers(response.headers);
  headers.delete("Content-Length");
  return new Response(cut, { status: response.status, headers });
}
