/**
 * Prints the Markdown tables of docs/architectures.md: every model's layers, parameters and
 * multiply-adds at 224, from the architecture descriptions (no weights are allocated).
 *
 *   npx tsx tools/docs/architectures_tables.ts > /tmp/tables.md
 */
// Source files, not the package entry: these parts need neither tfjs weights nor the
// activations/initializers packages.
import { cpuScaleVariants } from '../../packages/architectures/src/cpuScale';
import {
  describeArchitecture,
  type ModelName,
  modelNames,
} from '../../packages/architectures/src/describeArchitecture';
import { formatSummary, summarize } from '../../packages/architectures/src/summarize';

const paperComplexity: Partial<Record<ModelName, number>> = {
  vgg19: 1.96,
  A: 1.9,
  B: 2.32,
  C: 5.3,
};
const depth = (name: ModelName) => {
  const spec = describeArchitecture(name);
  return [...spec.trunk, ...spec.head].filter((l) => l.kind === 'conv2d' || l.kind === 'dense')
    .length;
};
const fmt = (v: number) => v.toLocaleString('en-US');

console.log(
  '| model | weight layers | params (ReLU) | params (PReLU) | multiply-adds at 224 | ×1e10 | Table 3 |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const name of modelNames) {
  const relu = summarize(describeArchitecture(name, { activation: 'relu' }), { inputSize: 224 });
  const prelu = summarize(describeArchitecture(name, { activation: 'prelu' }), { inputSize: 224 });
  const paper = paperComplexity[name];
  console.log(
    `| ${name} | ${depth(name)} | ${fmt(relu.totalParams)} | ${fmt(prelu.totalParams)} | ${fmt(relu.totalMultiplyAdds)} | ${(relu.totalMultiplyAdds / 1e10).toFixed(3)} | ${paper?.toFixed(2) ?? '—'} |`,
  );
}
console.log('\n### CPU-scale variants\n');
console.log('| variant | model | options | crop | params (PReLU) | multiply-adds per image |');
console.log('| --- | --- | --- | ---: | ---: | ---: |');
for (const [key, v] of Object.entries(cpuScaleVariants)) {
  const s = summarize(describeArchitecture(v.model, v.options), { inputSize: v.cropSize });
  console.log(
    `| ${key} | ${v.model} | \`${JSON.stringify(v.options)}\` | ${v.cropSize} | ${fmt(s.totalParams)} | ${fmt(s.totalMultiplyAdds)} |`,
  );
}
for (const name of modelNames) {
  console.log(`\n### ${name} (ReLU; PReLU adds one slope per channel of each conv, fc1, fc2)\n`);
  console.log(
    formatSummary(
      summarize(describeArchitecture(name, { activation: 'relu' }), { inputSize: 224 }),
    ),
  );
}
