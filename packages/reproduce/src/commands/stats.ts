import type { Command } from 'commander';
import { parseRunConfig } from '../config';
import { openDataset } from '../datasets';
import { datasetStats } from '../model';
import { type Io, printJson, withExample } from './io';

export function statsCommand(program: Command, io: Io): void {
  withExample(
    program
      .command('stats')
      .description('mean image and colour PCA of a training set (cached)')
      .option('--data <path>', 'data set (default: bundled)', 'bundled')
      .option('--resize <n>', 'shorter side', '128')
      .option('--crop <n>', 'centre crop', '112')
      .option('--json', 'print JSON only')
      .action(async (o) => {
        const c = parseRunConfig(
          { data: o.data, resize: Number(o.resize), crop: Number(o.crop) },
          'stats',
        );
        const data = openDataset(c.data);
        const s = await datasetStats(data, c);
        const value = {
          data: data.name,
          count: s.count,
          height: s.height,
          width: s.width,
          channelMean: s.channelMean,
          eigenvalues: s.eigenvalues,
          eigenvectors: s.eigenvectors,
        };
        if (o.json) printJson(io, value);
        else
          io.out(
            `${data.name}: ${s.count} images at ${s.height}×${s.width}\nchannel mean ${s.channelMean.map((v) => v.toFixed(3)).join(', ')}\nPCA eigenvalues ${s.eigenvalues.map((v) => v.toFixed(3)).join(', ')}\n`,
          );
      }),
    'rectifier stats --data /usr/share/datasets/fashion-mnist',
  );
}
