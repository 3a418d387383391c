'use strict';
// Small timing helpers shared by the bench scripts.

/** Median of a list of numbers. */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Calls fn repeatedly for about windowMs, `runs` times, and returns the operations per second of
 * each run. A warm-up window comes first so the JIT has settled before anything is counted.
 */
function ratesPerSecond(fn, { runs = 5, windowMs = 400, warmupMs = 300 } = {}) {
  spin(fn, warmupMs);
  const rates = [];
  for (let r = 0; r < runs; r++) {
    const { count, ms } = spin(fn, windowMs);
    rates.push((count * 1000) / ms);
  }
  return rates;
}

/**
 * Like ratesPerSecond, but per second of this process's CPU time: what one core does when it is not
 * shared. On a machine busy with other work the wall-clock rate understates the code's own speed.
 */
function ratesPerCpuSecond(fn, { runs = 5, windowMs = 400, warmupMs = 300 } = {}) {
  spin(fn, warmupMs);
  const rates = [];
  for (let r = 0; r < runs; r++) {
    const before = process.cpuUsage();
    const { count } = spin(fn, windowMs);
    const used = process.cpuUsage(before);
    rates.push((count * 1e6) / (used.user + used.system));
  }
  return rates;
}

function spin(fn, windowMs) {
  const start = process.hrtime.bigint();
  const limit = start + BigInt(Math.round(windowMs * 1e6));
  let count = 0;
  let now = start;
  while (now < limit) {
    fn();
    count++;
    now = process.hrtime.bigint();
  }
  return { count, ms: Number(now - start) / 1e6 };
}

/** Formats a number with thousands separators and the given decimals. */
function fmt(value, decimals = 0) {
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

module.exports = { median, ratesPerSecond, ratesPerCpuSecond, fmt };
