// Reports of the issue-25 Table 2 runs (ReLU and PReLU, 3 seeds, full Fashion-MNIST) as Table 2,
// Table 1 and Figure 2: the same runs, each experiment's claims.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { selectBackend } from '@rectifier/backend';
import {
  evaluateRuns,
  experiments,
  formatVerdicts,
  meanResponses,
  saveEvalResults,
  writeReport,
} from '@rectifier/reproduce';

const base = join(process.env.HOME as string, 'rectifier-runs', 'table2-cpu');
const out = process.argv[2];
await selectBackend({ prefer: 'onednn' });
const runs = (v: string) => [0, 1, 2].map((s) => join(base, v, `seed-${s}`));
const all = [...runs('relu'), ...runs('prelu')];
for (const d of all) {
  writeFileSync(join(d, 'responses.json'), `${JSON.stringify(await meanResponses(d))}\n`);
  saveEvalResults(d, await evaluateRuns([d], 'center', { progress: 'none' }));
}
for (const [name, dirs] of [
  ['table2', all],
  ['table1', runs('prelu')],
  ['figure2', all],
] as const) {
  const r = await writeReport(dirs, join(out, name), [], experiments[name]);
  console.log(`== ${name}\n${formatVerdicts(r.verdicts)}`);
}
