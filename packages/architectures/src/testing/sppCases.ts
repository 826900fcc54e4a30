import fixtures from '../fixtures/spp.json';
import tieFixtures from '../fixtures/spp_ties.json';

/** One PyTorch reference case of SPP (tools/fixtures/architectures_spp*.py). */
export interface SppCase {
  shape: [number, number, number, number];
  levels: number[];
  binning: 'adaptive' | 'sppnet';
  input: number[];
  weights: number[];
  output: number[];
  inputGrad: number[];
}

export const sppCases = fixtures.cases as SppCase[];
/** Tied maxima: each bin's gradient goes to its first maximum in row-major order. */
export const sppTieCases = tieFixtures.cases as unknown as (SppCase & {
  name: string;
  inputGradSum: number;
})[];
