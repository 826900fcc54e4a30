import type * as tf from '@tensorflow/tfjs';

/** Median wall time of `fn` in ms after `warmup` runs; every result is read back and freed. */
export function timeMs(fn: () => tf.Tensor | tf.Tensor[], repeats = 5, warmup = 1): number {
  const run = () => {
    const start = performance.now();
    const out = fn();
    for (const t of Array.isArray(out) ? out : [out]) {
      t.dataSync();
      t.dispose();
    }
    return performance.now() - start;
  };
  for (let i = 0; i < warmup; i++) run();
  const times = Array.from({ length: repeats }, run).sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export function fmt(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms.toFixed(1);
}

export function ratio(a: number, b: number): string {
  return `${(a / b).toFixed(2)}×`;
}

/** Prints rows as an aligned Markdown table, so the output pastes into docs/performance.md. */
export function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(header));
  console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const row of rows) console.log(line(row));
}
