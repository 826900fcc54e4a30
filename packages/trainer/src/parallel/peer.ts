import type { Socket } from 'node:net';
import { ParallelError } from '../errors';

/** Frame kinds of the local engine's socket pairs (see local.ts): a collective's bytes… */
export const DATA = 1;
/** A worker's fatal error message (UTF-8), e.g. a module that failed to load. */
export const ERROR = 2;
const HEADER = 8;
/** How long a failed write waits for the process exit that explains it. */
const BROKEN_PIPE_GRACE_MS = 2000;

/** One end of a socket pair: frames out, frames in (FIFO — collectives are issued in order). */
export class Peer {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private queue: Uint8Array[] = [];
  private waiters: {
    resolve: (b: Uint8Array) => void;
    reject: (e: Error) => void;
    timer?: NodeJS.Timeout;
  }[] = [];
  failure: Error | null = null;
  /** Set when the other side reported its own error (an ERROR frame). */
  remoteError: string | null = null;

  constructor(
    readonly socket: Socket,
    private readonly onRemoteError: (message: string) => Error,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => {});
  }

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= HEADER) {
      const head = this.peek(HEADER);
      const length = head.readUInt32LE(0);
      const kind = head.readUInt32LE(4);
      if (this.buffered < HEADER + length) break;
      this.take(HEADER);
      // Fresh ArrayBuffer: aligned for Float32Array views, and owned by the receiver.
      const payload = new Uint8Array(new ArrayBuffer(length));
      this.takeInto(payload);
      if (kind === ERROR) {
        this.remoteError = Buffer.from(payload).toString('utf8');
        this.fail(this.onRemoteError(this.remoteError));
      } else this.deliver(payload);
    }
  }

  private peek(n: number): Buffer {
    if (this.chunks[0].length < n) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0].subarray(0, n);
  }

  private take(n: number): void {
    this.takeInto(new Uint8Array(n));
  }

  private takeInto(out: Uint8Array): void {
    let at = 0;
    while (at < out.length) {
      const c = this.chunks[0];
      const n = Math.min(c.length, out.length - at);
      out.set(c.subarray(0, n), at);
      at += n;
      if (n === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(n);
    }
    this.buffered -= out.length;
  }

  private deliver(payload: Uint8Array): void {
    const w = this.waiters.shift();
    if (w === undefined) this.queue.push(payload);
    else {
      clearTimeout(w.timer);
      w.resolve(payload);
    }
  }

  /**
   * Writes one frame; resolves once the bytes are handed to the kernel. Callers await it: what
   * does not fit the socket buffer is written by the event loop, which a synchronous kernel
   * (the next trunk forward) would block — the other side would wait for the whole compute.
   * Rejects with `onTimeout()`'s error when the other side reads nothing for `timeoutMs`.
   */
  send(
    payload: Uint8Array,
    kind = DATA,
    timeoutMs = Number.POSITIVE_INFINITY,
    onTimeout: () => Error = () => new ParallelError('send timed out'),
  ): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const head = Buffer.alloc(HEADER);
    head.writeUInt32LE(payload.byteLength, 0);
    head.writeUInt32LE(kind, 4);
    const body = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    return new Promise<void>((resolve, reject) => {
      const w = { reject, timer: undefined as NodeJS.Timeout | undefined };
      const done = (err?: Error | null) => {
        clearTimeout(w.timer);
        if (err && !this.failure) {
          // The write can fail (EPIPE) before the other side's exit is seen: give the exit
          // event a moment to name the cause (fail() rejects w), else name the broken pipe.
          w.timer = setTimeout(() => {
            this.sending.delete(w);
            const code = (err as NodeJS.ErrnoException).code ?? err.message;
            reject(this.onRemoteError(`closed its connection (${code})`));
          }, BROKEN_PIPE_GRACE_MS);
          return;
        }
        this.sending.delete(w);
        if (err) reject(this.failure ?? err);
        else resolve();
      };
      if (Number.isFinite(timeoutMs)) {
        w.timer = setTimeout(() => {
          this.sending.delete(w);
          reject(onTimeout());
        }, timeoutMs);
      }
      this.sending.add(w);
      this.socket.write(payload.byteLength > 0 ? Buffer.concat([head, body]) : head, done);
    });
  }

  private sending = new Set<{ reject: (e: Error) => void; timer: NodeJS.Timeout | undefined }>();

  /** The next frame; rejects after `timeoutMs` of silence with `onTimeout()`'s error. */
  recv(timeoutMs: number, onTimeout: () => Error): Promise<Uint8Array> {
    const ready = this.queue.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const w: (typeof this.waiters)[number] = { resolve, reject };
      if (Number.isFinite(timeoutMs)) {
        w.timer = setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          reject(onTimeout());
        }, timeoutMs);
      }
      this.waiters.push(w);
    });
  }

  fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    for (const w of this.sending) {
      clearTimeout(w.timer);
      w.reject(e);
    }
    this.sending.clear();
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(e);
    }
  }
}
