import { expect, it } from 'vitest';
import { lossSpec, renderSvg } from './charts';

it("lossSpec: the legend shows each run's line colour at full opacity, not the pale band", async () => {
  const points = ['msra', 'xavier'].flatMap((run, j) =>
    [1, 2, 3].map((step) => ({ run, step, loss: 2 + j - step / 10, lo: 1.5 + j, hi: 3 + j })),
  );
  const svg = await renderSvg(lossSpec(points, 'loss', { yTitle: 'loss', log: true }));
  expect(svg.match(/class="mark-group role-legend"/g)).toHaveLength(1);
  const symbols = [...svg.matchAll(/role-legend-symbol"[^>]*><path ([^>]*)>/g)].map((m) => m[1]);
  expect(symbols).toHaveLength(2);
  const lineColours = [
    ...svg.matchAll(/aria-roledescription="line mark"[^>]*stroke="(#\w{6})"/g),
  ].map((m) => m[1]);
  expect(lineColours).toHaveLength(2);
  // The same colours as the lines, full opacity, drawn as strokes (the band would be a pale fill).
  expect(symbols.map((s) => /stroke="(#\w{6})"/.exec(s)?.[1])).toEqual(lineColours);
  for (const s of symbols) expect(s).not.toMatch(/opacity="0\.2"|fill-opacity/);
});
