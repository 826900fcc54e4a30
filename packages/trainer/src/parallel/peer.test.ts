import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ParallelError } from '../errors';
import { Peer } from './peer';

/** A socket whose every write fails with EPIPE, as one does when the other process died. */
function brokenSocket(): Socket {
  const epipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
  return {
    on: () => undefined,
    write: (_: Buffer, cb: (err?: Error) => void) => {
      setImmediate(() => cb(epipe));
      return false;
    },
  } as unknown as Socket;
}

describe('Peer.send on a connection the other side closed', () => {
  it('rejects with the exit the engine reports after the write failed, not a raw EPIPE', async () => {
    const peer = new Peer(brokenSocket(), (m) => new ParallelError(`Worker 1 ${m}`));
    const sent = peer.send(new Uint8Array(4));
    // The exit event of a SIGKILLed worker can arrive after the write's EPIPE.
    setTimeout(() => peer.fail(new ParallelError('Worker 1 was killed by SIGKILL')), 50);
    await expect(sent).rejects.toThrow(/^Worker 1 was killed by SIGKILL$/);
  });

  it('names the broken connection when no exit explains it', async () => {
    const peer = new Peer(brokenSocket(), (m) => new ParallelError(`Worker 1 ${m}`));
    const err = await peer.send(new Uint8Array(4)).catch((e) => e);
    expect(err).toBeInstanceOf(ParallelError);
    expect(err.message).toBe('Worker 1 closed its connection (EPIPE)');
  });
});
