import { cpuScaleVariants } from '@rectifier/architectures';
import { cpuBase, cpuDeepInputScale, paperBase } from './bases';
import type { Experiment } from './experiment';

// The small and deep nets of Sec. 2 and 4.1: Tables 1–2, Figures 2–3.

/**
 * Table 2: ReLU, LReLU (a = 0.25), PReLU channel-shared and channel-wise on the small model,
 * 10-view testing, shorter side fixed at 256 in training and testing (no scale jitter), 75
 * epochs (the paper). CPU scale: the small net at quarter width (fashionMnist variant's 0.5 ÷ 2)
 * on 80 crops of images resized to 92 (224/256 × 92 ≈ 80; the last conv map is exactly 6×6, the
 * top pyramid level); cpuBase's length and rates (2 epochs × 56 steps of 32 on the bundled
 * subset: the four runs and their 10-view tests fit the 10-minute `npm start` on two cores).
 */
export const table2: Experiment = {
  name: 'table2',
  title: 'ReLU vs LReLU vs PReLU on the small model',
  source: 'Table 2 (Sec. 2.1)',
  variants: [
    { name: 'relu', config: { activation: 'relu' } },
    { name: 'lrelu', config: { activation: 'lrelu', slope: 0.25 } },
    { name: 'prelu-shared', config: { activation: 'prelu-shared' } },
    { name: 'prelu', config: { activation: 'prelu' } },
  ],
  scales: {
    cpu: {
      ...cpuBase,
      widthMultiplier: 0.25,
      resize: 92,
      crop: 80,
      valEveryEpoch: false,
    },
    paper: {
      ...paperBase,
      model: 'small',
      scaleJitter: null,
      epochs: 75,
      schedule: { kind: 'plateau', patience: 3, factor: 0.1, min: 1e-4 },
    },
  },
  protocols: ['ten-view'],
  charts: ['convergence', 'slopes'],
  paper: {
    caption: 'ImageNet 2012 val, 10-view, top-1/top-5 error (%)',
    rows: [
      { label: 'ReLU', variant: 'relu', protocol: 'ten-view', top1: 33.82, top5: 13.34 },
      {
        label: 'LReLU (a = 0.25)',
        variant: 'lrelu',
        protocol: 'ten-view',
        top1: 33.8,
        top5: 13.56,
      },
      {
        label: 'PReLU, channel-shared',
        variant: 'prelu-shared',
        protocol: 'ten-view',
        top1: 32.71,
        top5: 12.87,
      },
      {
        label: 'PReLU, channel-wise',
        variant: 'prelu',
        protocol: 'ten-view',
        top1: 32.64,
        top5: 12.75,
      },
    ],
  },
};

/**
 * Table 1: the learned slopes per layer of the Table 2 PReLU models (shared and channel-wise):
 * the Table 2 runs themselves (`runsOf`), tested here with centre crops.
 */
export const table1: Experiment = {
  name: 'table1',
  title: 'Learned PReLU coefficients per layer',
  source: 'Table 1 (Sec. 2.1)',
  runsOf: 'table2',
  variants: table2.variants.filter((v) => v.name.startsWith('prelu')),
  scales: table2.scales,
  protocols: ['center'],
  charts: ['slopes'],
  paper: {
    caption:
      'Learned slopes: conv1 channel-shared 0.681, channel-wise 0.596 (mean); deeper layers smaller',
    rows: [],
  },
};

/** Figure 2: mean response of each layer, ReLU vs PReLU: the Table 2 runs (`runsOf`). */
export const figure2: Experiment = {
  name: 'figure2',
  title: 'Mean responses of each layer',
  source: 'Figure 2 (Sec. 2.1)',
  runsOf: 'table2',
  variants: table2.variants.filter((v) => v.name === 'relu' || v.name === 'prelu'),
  scales: table2.scales,
  protocols: ['center'],
  charts: ['responses'],
  paper: { caption: 'PReLU in general has smaller mean responses', rows: [] },
};

/**
 * Figure 3: 22-layer model B (Table 3, full width at paper scale) and the 30-layer net (small +
 * 16 extra conv 2×2, 256), ReLU, MSRA vs Xavier (std √(1/n)). The 30-layer row (38.56/16.59)
 * is the paper's 10-view number (as Table 2's), so the runs are tested with 10 views. CPU
 * scale: model B at 1/8 width (cpuScaleVariants.B, the `cpu` departure of the B variants only)
 * and the deep variant (width 0.5, 16 extra layers), 112 crops, validation after every epoch.
 */
const cpuB = { widthMultiplier: cpuScaleVariants.B.options.widthMultiplier };

export const figure3: Experiment = {
  name: 'figure3',
  title: 'Convergence of 22- and 30-layer ReLU nets: MSRA vs Xavier',
  source: 'Figure 3 (Sec. 2.2)',
  variants: [
    { name: 'B-msra', config: { model: 'B', init: 'msra-fan-in' }, cpu: cpuB },
    { name: 'B-xavier', config: { model: 'B', init: 'xavier' }, cpu: cpuB },
    { name: '30-msra', config: { model: 'deep', init: 'msra-fan-in', extraLayers: 16 } },
    { name: '30-xavier', config: { model: 'deep', init: 'xavier', extraLayers: 16 } },
  ],
  scales: {
    // Inputs × 1/16 at 1e-2 for both depths: the 30-layer MSRA net learns there in every seed
    // measured; for the 22-layer B-msra no recipe tried learned in every seed within one bundled
    // epoch, and this one never jumped (docs/results.md, "CPU recipe").
    cpu: {
      ...cpuBase,
      activation: 'relu',
      inputScale: cpuDeepInputScale,
      lr: 0.01,
      epochs: { bundled: 3, full: 4 },
    },
    paper: { ...paperBase, activation: 'relu' },
  },
  protocols: ['ten-view'],
  charts: ['convergence'],
  paper: {
    caption:
      'Both converge at 22 layers (ours earlier); at 30 layers Xavier stalls. Small ReLU model: Xavier 33.90/13.44, ours 33.82/13.34; 30 layers (ours): 38.56/16.59',
    rows: [
      {
        label: '30-layer, MSRA',
        variant: '30-msra',
        protocol: 'ten-view',
        top1: 38.56,
        top5: 16.59,
      },
    ],
  },
};
