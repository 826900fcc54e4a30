import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * Renders a Vega-Lite spec to an SVG string in Node (no DOM, no browser): compile to Vega, then
 * a headless View. Data values go into the SVG as text nodes, which Vega escapes.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** What every chart of a report shares: the Vega-Lite schema, its title, one size. */
const frame = (title: string) => ({
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  title,
  width: 520,
  height: 260,
});

export interface CurvePoint {
  run: string;
  epoch: number;
  series: string;
  error: number;
}

/** Convergence curves (Figures 3 and 4): error against epoch, one line per run and series. */
export function convergenceSpec(points: CurvePoint[], title: string): TopLevelSpec {
  return {
    ...frame(title),
    data: { values: points },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch' },
      y: { field: 'error', type: 'quantitative', title: 'top-1 error', scale: { zero: false } },
      color: { field: 'run', type: 'nominal', title: 'run' },
      strokeDash: { field: 'series', type: 'nominal', title: 'series' },
    },
  };
}

/** Per-layer values (Table 1's slopes, Figure 2's mean responses) with their spread over seeds. */
export function perLayerSpec(
  rows: { run: string; layer: string; order: number; mean: number; std: number }[],
  title: string,
  yTitle: string,
): TopLevelSpec {
  return {
    ...frame(title),
    data: { values: rows.map((r) => ({ ...r, lo: r.mean - r.std, hi: r.mean + r.std })) },
    encoding: {
      x: { field: 'layer', type: 'ordinal', sort: { field: 'order' }, title: 'layer' },
      color: { field: 'run', type: 'nominal', title: 'run' },
    },
    layer: [
      {
        mark: { type: 'line', point: true },
        encoding: { y: { field: 'mean', type: 'quantitative', title: yTitle } },
      },
      {
        mark: { type: 'rule' },
        encoding: { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } },
      },
    ],
  };
}

export interface LossPoint {
  run: string;
  step: number;
  /** Mean over seeds of the window's mean loss; lo/hi: the lowest and highest seed. */
  loss: number;
  lo: number;
  hi: number;
}

/**
 * A per-step value (training loss, mini-batch error) against step, one line per run with the
 * seeds' spread as a pale band: how Figure 3's "Xavier stalls" shows in runs too short for more
 * than one or two epoch points. The legend is the lines' (full colour): the band layer has none.
 */
export function lossSpec(
  points: LossPoint[],
  title: string,
  axis: { yTitle: string; log: boolean },
): TopLevelSpec {
  const color = { field: 'run', type: 'nominal', title: 'run' } as const;
  const scale = axis.log ? { type: 'log' as const } : { zero: false };
  return {
    ...frame(title),
    data: { values: points },
    encoding: { x: { field: 'step', type: 'quantitative', title: 'step' } },
    // Independent legends, the band's switched off: a merged legend takes the band's opacity.
    resolve: { legend: { color: 'independent' } },
    layer: [
      {
        mark: { type: 'area', opacity: 0.2 },
        encoding: {
          color: { ...color, legend: null },
          y: { field: 'lo', type: 'quantitative', title: axis.yTitle, scale },
          y2: { field: 'hi' },
        },
      },
      {
        mark: { type: 'line' },
        encoding: { color, y: { field: 'loss', type: 'quantitative', title: axis.yTitle, scale } },
      },
    ],
  };
}
