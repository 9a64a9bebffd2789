// The interleaving/timing helper every row uses: A and B take turns (A B, then B A, …) so drift on a shared
// machine hits both alike; warm-up rounds are run and thrown away; each round times a batch of calls and
// yields one per-call sample for each side; the ratio is taken per round (A_i / B_i) and its median reported.

const now = () => process.hrtime.bigint();
const ms = (t0, t1) => Number(t1 - t0) / 1e6;

/** The q-quantile (0..1) of a list of numbers, by linear interpolation. */
export function quantile(values, q) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((x, y) => x - y);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Median and spread (interquartile range, and the full range) of samples. */
export function summarize(values) {
  return {
    n: values.length,
    median: quantile(values, 0.5),
    p25: quantile(values, 0.25),
    p75: quantile(values, 0.75),
    min: Math.min(...values),
    max: Math.max(...values),
  };
}

async function timeBatch(fn, batch) {
  const t0 = now();
  for (let i = 0; i < batch; i++) await fn(i);
  return ms(t0, now()) / batch;
}

/**
 * Picks a batch size so one batch of `fn` takes about `targetMs` (at least 1, at most `maxBatch`), from a few
 * trial calls. Each side gets its own batch size, so a fast B is not timed in slices too thin to measure;
 * samples are per-call times either way.
 */
export async function calibrate(fn, { targetMs = 50, maxBatch = 10_000 } = {}) {
  let batch = 1;
  for (;;) {
    const perCall = await timeBatch(fn, batch);
    if (perCall * batch >= targetMs / 4 || batch >= maxBatch) {
      return Math.max(1, Math.min(maxBatch, Math.ceil(targetMs / Math.max(perCall, 1e-6))));
    }
    batch *= 4;
  }
}

/**
 * Runs `a` and `b` interleaved. Returns per-call milliseconds for each side, the per-round ratios A/B and the
 * per-round differences A − B (ms).
 * @param {{ a: (i: number) => unknown, b: (i: number) => unknown, rounds?: number, warmup?: number,
 *           batch?: number, targetMs?: number, maxBatch?: number, deadlineMs?: number }} options
 */
export async function interleave({
  a,
  b,
  rounds = 15,
  warmup = 3,
  batch,
  targetMs = 50,
  maxBatch = 10_000,
  deadlineMs = 20_000,
}) {
  // Pre-heat both sides before sizing batches: first calls (JIT, sockets) are not representative.
  for (let i = 0; i < 3; i++) {
    await a(i);
    await b(i);
  }
  const sizeA = batch ?? (await calibrate(a, { targetMs, maxBatch }));
  const sizeB = batch ?? (await calibrate(b, { targetMs, maxBatch }));
  const samplesA = [];
  const samplesB = [];
  const ratios = [];
  const diffs = [];
  const started = Date.now();
  for (let r = 0; r < warmup + rounds; r++) {
    let ta;
    let tb;
    if (r % 2 === 0) {
      ta = await timeBatch(a, sizeA);
      tb = await timeBatch(b, sizeB);
    } else {
      tb = await timeBatch(b, sizeB);
      ta = await timeBatch(a, sizeA);
    }
    if (r < warmup) continue; // warm-ups: JIT, caches, sockets; discarded
    samplesA.push(ta);
    samplesB.push(tb);
    ratios.push(ta / tb);
    diffs.push(ta - tb);
    // Bounded in time: stop early (with at least 5 measured rounds) rather than overrun.
    if (Date.now() - started > deadlineMs && samplesA.length >= 5) break;
  }
  return {
    batch: { a: sizeA, b: sizeB },
    a: summarize(samplesA),
    b: summarize(samplesB),
    ratio: summarize(ratios),
    diff: summarize(diffs),
  };
}

/** "1.23 ms" / "45.6 µs" / "1.20 s" for a duration in ms. */
export function fmtMs(value) {
  if (!Number.isFinite(value)) return "–";
  if (value >= 1000) return `${(value / 1000).toFixed(2)} s`;
  if (value >= 1) return `${value.toFixed(value >= 100 ? 0 : 2)} ms`;
  return `${(value * 1000).toFixed(1)} µs`;
}

/** "1.234 ms (IQR 1.2–1.3)" */
export function fmtSummary(s, fmt = fmtMs) {
  return `${fmt(s.median)} (IQR ${fmt(s.p25)}–${fmt(s.p75)}, n=${s.n})`;
}

export function fmtRatio(s) {
  return `**${s.median.toFixed(2)}** (IQR ${s.p25.toFixed(2)}–${s.p75.toFixed(2)})`;
}
