import { execFile } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { CPU_TRAINING_WARNING } from './index';

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));

/** Runs an ES module in a new Node process, importing this package's source as a user would. */
async function runFresh(code: string): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', '--conditions=@rectifier/source', '--input-type=module', '-e', code],
    { cwd: packageDir },
  );
}

// One convolution's weight gradient: the kernel (Conv2DBackpropFilter) that stock
// tfjs-backend-wasm lacks, and the one the cpu backend computes ~1000× slower than its forward.
const convGradient = `
const x = tf.ones([1, 5, 5, 2]);
const step = () => tf.grad((w) => tf.conv2d(x, w, 1, 'same').sum())(tf.ones([3, 3, 2, 4]));
console.log(JSON.stringify({ backend: tf.getBackend(), g: step().dataSync()[0], again: step().dataSync()[0] }));
`;

describe('importing @rectifier/backend in a fresh process', () => {
  test('await tf.ready() gives wasm, which trains a convnet', async () => {
    const { stdout, stderr } = await runFresh(`
import * as tf from '@tensorflow/tfjs';
import '@rectifier/backend';
await tf.ready();
${convGradient}`);
    // Centre taps see all 25 positions of the 5×5 all-ones input, 2 input channels summed apiece.
    expect(JSON.parse(stdout)).toEqual({ backend: 'wasm', g: 16, again: 16 });
    expect(stderr).not.toContain('@rectifier/backend');
  });

  test('training a convnet on cpu warns once, naming selectBackend', async () => {
    const { stdout, stderr } = await runFresh(`
import * as tf from '@tensorflow/tfjs';
import '@rectifier/backend';
await tf.setBackend('cpu');
${convGradient}`);
    expect(JSON.parse(stdout).backend).toBe('cpu');
    expect(stderr.split(CPU_TRAINING_WARNING).length - 1).toBe(1);
    expect(CPU_TRAINING_WARNING).toContain('await selectBackend()');
  });

  test('cpu chosen through selectBackend trains without the warning', async () => {
    const { stdout, stderr } = await runFresh(`
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@rectifier/backend';
await selectBackend({ prefer: 'cpu' });
${convGradient}`);
    expect(JSON.parse(stdout).backend).toBe('cpu');
    expect(stderr).not.toContain('@rectifier/backend');
  });
});
