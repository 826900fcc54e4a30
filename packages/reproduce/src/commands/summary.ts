import { activationKinds } from '@rectifier/activations';
import {
  describeArchitecture,
  formatSummary,
  modelNames,
  summarize,
} from '@rectifier/architectures';
import { featureMapSide, smallestInputSide } from '@rectifier/evaluation';
import type { Command } from 'commander';
import { closestKey } from '../config';
import { UsageError } from '../errors';
import { type Io, printJson, withExample } from './io';

function positiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new UsageError(`summary: ${flag} must be a positive integer. Received: ${value}`);
  }
  return n;
}

export function summaryCommand(program: Command, io: Io): void {
  withExample(
    program
      .command('summary <model>')
      .description("layers, parameters and multiply-adds (Table 3's complexity row)")
      .option('--input <n>', 'square input side', '224')
      .option('--activation <kind>', activationKinds.join(', '), 'prelu')
      .option('--width <m>', 'width multiplier', '1')
      .option('--classes <n>', 'classes', '1000')
      .option('--json', 'print JSON only')
      .action((model: string, o) => {
        if (!modelNames.includes(model)) {
          throw new UsageError(
            `summary: unknown model ${JSON.stringify(model)}; did you mean ${JSON.stringify(closestKey(model, modelNames))}? (models: ${modelNames.join(', ')})`,
          );
        }
        const spec = describeArchitecture(model, {
          activation: o.activation,
          widthMultiplier: Number(o.width),
          numClasses: positiveInt('--classes', o.classes),
        });
        const input = positiveInt('--input', o.input);
        // An input whose last map cannot hold the largest pyramid level has no summary: name the
        // smallest that has one (77 for the small net's 6×6 level).
        const spp = spec.head.find((l) => l.kind === 'spp');
        if (spp?.kind === 'spp' && spec.inputSize === null) {
          const need = Math.max(...spp.levels);
          if (featureMapSide(spec, input) < need) {
            const side = featureMapSide(spec, input);
            throw new UsageError(
              `summary: --input ${input} is too small for model ${model}: its last feature map would be ${side}×${side}, smaller than the ${need}×${need} pyramid level. The smallest valid input is ${smallestInputSide(spec, need)}.`,
            );
          }
        }
        const s = summarize(spec, { inputSize: input });
        if (o.json) printJson(io, s);
        else io.out(`${formatSummary(s)}\n`);
      }),
    'rectifier summary A --input 224',
  );
}
