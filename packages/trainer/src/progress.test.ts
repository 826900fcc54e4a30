import { PassThrough } from 'node:stream';
import { expect, test } from 'vitest';
import { createProgress } from './progress';

/** A stream that collects what is written, claiming to be a terminal or not. */
function sink(isTTY: boolean) {
  const stream = Object.assign(new PassThrough(), { isTTY });
  let text = '';
  stream.on('data', (d) => {
    text += String(d);
  });
  return { stream, text: () => text };
}

// One numbering for people: the bar says "epoch 1" for the first epoch, as the reports' charts
// do; the machine-readable lines keep metrics.jsonl's 0-based index.
test('the bar counts epochs from 1; JSON lines keep the 0-based index of metrics.jsonl', async () => {
  const bar = sink(true);
  const progress = createProgress('bar', bar.stream);
  progress.start(4, 0);
  progress.update({ step: 3, epoch: 1, loss: 0.5, imagesPerSec: 10, lr: 0.1 });
  progress.stop();
  await new Promise((r) => setImmediate(r));
  expect(bar.text()).toMatch(/step 3\/4 \| epoch 2 \|/);
  expect(bar.text()).not.toMatch(/epoch 1 \|/);

  const lines = sink(false);
  const log = createProgress('lines', lines.stream, 0);
  log.start(4, 0);
  log.update({ step: 3, epoch: 1, loss: 0.5, imagesPerSec: 10, lr: 0.1 });
  await new Promise((r) => setImmediate(r));
  expect(JSON.parse(lines.text())).toMatchObject({ type: 'progress', step: 3, epoch: 1 });
});
