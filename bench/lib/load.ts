import { percentile } from './stats.js';

export interface LoadChunk {
  /** Latency of each request in ms, in request order. */
  samples: Float64Array;
  ms: number;
  /** CPU this process (the load generator) used meanwhile, in µs. */
  loadgenCpuUs: number;
}

/**
 * Sends `count` calls with `concurrency` in flight and times each with performance.now().
 * `call(i)` makes the i-th request; any failure aborts the run (a benchmark of errors is no benchmark).
 */
export async function runLoad(count: number, concurrency: number, call: (i: number) => Promise<unknown>): Promise<LoadChunk> {
  const samples = new Float64Array(count);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      const t0 = performance.now();
      try {
        await call(i);
      } catch (error) {
        next = count; // stop the other workers
        throw error;
      }
      samples[i] = performance.now() - t0;
    }
  };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { samples, ms, loadgenCpuUs: cpu.user + cpu.system };
}

export interface LoadResult {
  requests: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  /** CPU the load generator used, as a share of one core. */
  loadgenCpu: number;
}

/** Merges the chunks of one server's measured requests: rate over their summed time, percentiles over all samples. */
export function mergeChunks(chunks: LoadChunk[]): LoadResult {
  const requests = chunks.reduce((n, c) => n + c.samples.length, 0);
  const ms = chunks.reduce((n, c) => n + c.ms, 0);
  const all = new Float64Array(requests);
  let at = 0;
  for (const c of chunks) {
    all.set(c.samples, at);
    at += c.samples.length;
  }
  all.sort();
  return {
    requests,
    seconds: ms / 1000,
    perSecond: requests / (ms / 1000),
    p50: percentile(all, 0.5),
    p99: percentile(all, 0.99),
    max: all[all.length - 1] ?? Number.NaN,
    loadgenCpu: chunks.reduce((n, c) => n + c.loadgenCpuUs, 0) / 1000 / ms,
  };
}
