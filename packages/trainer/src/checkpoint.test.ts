import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import {
  type CheckpointState,
  checkpointName,
  encodeCheckpoint,
  fingerprintHash,
  readCheckpoint,
  writeCheckpoint,
} from './checkpoint';
import { CheckpointError } from './errors';

const root = mkdtempSync(join(tmpdir(), 'rectifier-checkpoint-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function state(overrides: Partial<CheckpointState> = {}): CheckpointState {
  return {
    fingerprint: 'f'.repeat(64),
    step: 3,
    epoch: 0,
    batchInEpoch: 3,
    valError: null,
    schedule: {},
    metricsBytes: 0,
    slopesBytes: 0,
    elapsedMs: 1,
    weights: [
      { name: 'a/kernel', shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) },
      { name: 'a/bias', shape: [2], data: Float32Array.of(5, 6) },
    ],
    buffers: [{ name: 'a/kernel', shape: [2, 2], data: Float32Array.of(7, 8, 9, 10) }],
    ...overrides,
  };
}

/** Writes `parts` (an encoded checkpoint without its digest) with a fresh, valid SHA-256. */
function writeSigned(name: string, parts: Buffer[]): string {
  const body = Buffer.concat(parts);
  const path = join(root, name);
  writeFileSync(path, Buffer.concat([body, createHash('sha256').update(body).digest()]));
  return path;
}

describe('checkpoint format', () => {
  test('round trip: state, fingerprint and step come back', () => {
    const name = writeCheckpoint(root, state());
    expect(name).toBe(checkpointName(3));
    const back = readCheckpoint(join(root, name));
    expect(back.fingerprint).toBe('f'.repeat(64));
    expect(back.step).toBe(3);
    expect(Array.from(back.weights[1].data)).toEqual([5, 6]);
    expect(Array.from(back.buffers[0].data)).toEqual([7, 8, 9, 10]);
  });

  test('a payload shorter than its table says is refused, not zero-filled (valid checksum)', () => {
    const parts = encodeCheckpoint(state()).slice(0, -1); // without the digest
    const path = writeSigned('step-00000003.ckpt', parts.slice(0, -1)); // and the last tensor
    expect(() => readCheckpoint(path)).toThrow(CheckpointError);
    expect(() => readCheckpoint(path)).toThrow(
      /step-00000003\.ckpt: says "a\/kernel" ends at byte 40, past the payload's 24 bytes/,
    );
  });

  test('a table entry whose length is not its shape’s is refused', () => {
    const bad = state({
      weights: [{ name: 'a/kernel', shape: [2, 2], data: Float32Array.of(1, 2, 3) }],
      buffers: [],
    });
    const path = writeSigned('step-00000003.ckpt', encodeCheckpoint(bad).slice(0, -1));
    expect(() => readCheckpoint(path)).toThrow(
      /says "a\/kernel" holds 3 floats, but its shape \[2,2\] has 4/,
    );
  });

  test('a payload longer than its table describes is refused', () => {
    const parts = encodeCheckpoint(state()).slice(0, -1);
    const path = writeSigned('step-00000003.ckpt', [...parts, Buffer.alloc(8)]);
    expect(() => readCheckpoint(path)).toThrow(
      /has a payload of 48 bytes but its table describes 40/,
    );
  });

  test('a file whose name says another step is refused with both steps', () => {
    const path = writeSigned('step-00000007.ckpt', encodeCheckpoint(state()).slice(0, -1));
    expect(() => readCheckpoint(path)).toThrow(
      /step-00000007\.ckpt: holds step 3 but its name says step 7/,
    );
  });

  test('a header without step or tables is refused', () => {
    const header = Buffer.from(JSON.stringify({ epoch: 0 }));
    const length = Buffer.alloc(4);
    length.writeUInt32LE(header.length);
    const path = writeSigned('x.ckpt', [Buffer.from('RECTCKP1'), length, header]);
    expect(() => readCheckpoint(path)).toThrow(/has no valid step, batchInEpoch/);
  });

  test('fingerprintHash ignores key order and changes with any value', () => {
    const a = fingerprintHash({ seed: 1, optimizer: { lr: 0.1, momentum: 0.9 } });
    expect(fingerprintHash({ optimizer: { momentum: 0.9, lr: 0.1 }, seed: 1 })).toBe(a);
    expect(fingerprintHash({ seed: 2, optimizer: { lr: 0.1, momentum: 0.9 } })).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });
});
