import type { Experiment } from './presets/experiment';
import { figure4, table4, table5, table6, table7 } from './presets/largeModels';
import { figure2, figure3, table1, table2 } from './presets/smallNets';

// The presets live by model family in presets/; this is their index by name.

/** Every experiment, by name (`rectifier reproduce --list`). */
export const experiments: Record<string, Experiment> = {
  table1,
  table2,
  table4,
  table5,
  table6,
  table7,
  figure2,
  figure3,
  figure4,
};
