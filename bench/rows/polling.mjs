// Row 5: how quickly, and with how many /check calls, a finished 20 s image job is noticed: our adaptive
// polling (client.submitImage → job.progress()) beside fixed 4 s (what the Python SDK does) and fixed 1 s
// pollers, all watching the same job on one virtual clock (so the figures are exact, not wall-clock noise).
// The race is the one packages/sdk/test/integration/jobs/adaptive-polling.test.ts runs on the sources
// (horde-test-support/polling-race), here on the built packages.
import { racePollers } from "horde-test-support/polling-race";
import { importEmulator, importSdk } from "../lib/env.mjs";

export async function run() {
  const packages = { sdk: await importSdk(), emulator: await importEmulator() };
  const { ours, every4s, every1s, submittedAt, completedAt } = await racePollers(packages);
  if (completedAt === 0) throw new Error("the job never completed");
  const delay = (r) => (r.noticedAt - completedAt) / 1000;
  const fmt = (r) => `${r.calls} \`/check\` calls, noticed ${delay(r).toFixed(1)} s after completion`;
  const met = ours.calls < every4s.calls && delay(ours) < delay(every4s);
  return [
    {
      id: "5",
      what: `polling a 20 s image job (virtual time; completed ${((completedAt - submittedAt) / 1000).toFixed(1)} s after submit)`,
      a: `adaptive (ours): ${fmt(ours)}`,
      b: `fixed 4 s (Python SDK): ${fmt(every4s)}; fixed 1 s: ${fmt(every1s)}`,
      ratioText: `calls ${(ours.calls / every4s.calls).toFixed(2)} × / delay ${(delay(ours) / Math.max(delay(every4s), 1e-9)).toFixed(2)} × of fixed 4 s`,
      target: "fewer calls than 4 s and shorter delay than 4 s",
      met,
      detail: "one run: virtual time is deterministic, so there is no spread to report",
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await run());
}
