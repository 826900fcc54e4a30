import { type ChildProcess, spawn } from 'node:child_process';
import { Socket } from 'node:net';
import { ParallelError } from '../errors';
import type { Collectives } from './collectives';
import { RAISE_TIMEOUT_ADVICE } from './collectiveTimeout';
import { DATA, ERROR, Peer } from './peer';

/**
 * The `local` engine: rank 0 is the calling process; ranks 1…n−1 are child processes it starts,
 * each joined to it by one UNIX socket pair (the child's fd 3). Collectives go through rank 0
 * (a star: on one machine every byte crosses the same memory bus anyway). Messages are binary
 * frames — an 8-byte header (payload length, kind) and the raw bytes — never JSON.
 *
 * Faults: a child that exits (SIGKILL, crash) fails every pending and later receive from it at
 * once; a child that sends nothing for `timeoutMs` while rank 0 waits for it is declared hung,
 * and the run stops naming the worker and the step. Rank 0 SIGKILLs every child on failure or
 * exit, and a child whose socket closes (rank 0 gone) exits: no orphan is left.
 */

export interface LocalRootOptions {
  /** Ranks in all, this process included (≥ 2). */
  size: number;
  /** The worker program and the Node flags to run it with. */
  entry: string;
  execArgv: string[];
  /** Silence (ms) after which a worker rank 0 waits for is declared hung. */
  timeoutMs: number;
  /** Extra environment per worker rank (CUDA_VISIBLE_DEVICES…). */
  env?: (rank: number) => Record<string, string>;
}

/** Rank 0 of the local engine: starts the workers and drives the collectives through itself. */
export class LocalRoot implements Collectives {
  readonly engine = 'local';
  readonly rank = 0;
  readonly size: number;
  context = { step: 0, phase: 'start-up' };
  private readonly children: ChildProcess[] = [];
  private readonly peers: Peer[] = [];
  private closed = false;
  private readonly killAll = () => this.kill();
  timeoutMs: number;

  constructor(options: LocalRootOptions) {
    this.size = options.size;
    this.timeoutMs = options.timeoutMs;
    for (let r = 1; r < options.size; r++) {
      const child = spawn(process.execPath, [...options.execArgv, options.entry], {
        stdio: ['ignore', 'inherit', 'inherit', 'pipe'],
        env: {
          ...process.env,
          RECTIFIER_LOCAL_RANK: String(r),
          RECTIFIER_LOCAL_SIZE: String(options.size),
          RECTIFIER_PARENT_PID: String(process.pid),
          ...options.env?.(r),
        },
      });
      const socket = child.stdio[3] as Socket;
      const peer = new Peer(socket, (m) => this.error(r, m));
      child.on('exit', (code, signal) => {
        peer.fail(
          this.error(
            r,
            peer.remoteError ??
              (signal ? `was killed by ${signal}` : `exited with code ${String(code)}`),
          ),
        );
      });
      child.on('error', (e) => peer.fail(this.error(r, `could not start: ${e.message}`)));
      this.children.push(child);
      this.peers.push(peer);
    }
    process.on('exit', this.killAll);
  }

  get pids(): number[] {
    return this.children.map((c) => c.pid ?? -1);
  }

  private error(rank: number, what: string, timedOut = false): ParallelError {
    const pid = this.children[rank - 1]?.pid;
    const { step, phase } = this.context;
    const when = step === 0 ? `before step 1 (${phase})` : `during step ${step} (${phase})`;
    return new ParallelError(
      `Worker ${rank} (pid ${pid}) ${what} ${when}; the run stopped and its last checkpoint is kept (continue with resume())${timedOut ? `; ${RAISE_TIMEOUT_ADVICE}` : ''}.`,
      rank,
      step,
    );
  }

  private recv(rank: number, timeoutMs = this.timeoutMs): Promise<Uint8Array> {
    return this.peers[rank - 1].recv(timeoutMs, () =>
      this.error(rank, `sent nothing for ${timeoutMs} ms (hung?)`, true),
    );
  }

  private sendTo(rank: number, payload: Uint8Array): Promise<void> {
    const ms = this.timeoutMs;
    return this.peers[rank - 1].send(payload, DATA, ms, () =>
      this.error(rank, `read nothing for ${ms} ms (hung?)`, true),
    );
  }

  /** Sends to every worker at once; resolves when all have taken their bytes. */
  private async sendAll(payload: (rank: number) => Uint8Array): Promise<void> {
    const sends: Promise<void>[] = [];
    for (let r = 1; r < this.size; r++) sends.push(this.sendTo(r, payload(r)));
    await Promise.all(sends);
  }

  /** Waits for every worker to say it is ready (model built), with a start-up timeout. */
  async ready(timeoutMs: number): Promise<void> {
    for (let r = 1; r < this.size; r++) await this.recv(r, timeoutMs);
  }

  async allreduceSum(data: Float32Array): Promise<void> {
    // Rank order, always: every run of the same size sums in the same order.
    for (let r = 1; r < this.size; r++) {
      const other = new Float32Array((await this.recv(r)).buffer);
      if (other.length !== data.length)
        throw this.error(r, `sent ${other.length} floats, not ${data.length}`);
      for (let i = 0; i < data.length; i++) data[i] += other[i];
    }
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    await this.sendAll(() => bytes);
  }

  async gatherv(data: Float32Array, counts: number[]): Promise<Float32Array> {
    const total = counts.reduce((a, b) => a + b, 0);
    const out = new Float32Array(total);
    out.set(data);
    let at = counts[0];
    for (let r = 1; r < this.size; r++) {
      const part = new Float32Array((await this.recv(r)).buffer);
      if (part.length !== counts[r])
        throw this.error(r, `sent ${part.length} floats, not ${counts[r]}`);
      out.set(part, at);
      at += counts[r];
    }
    return out;
  }

  async scatterv(data: Float32Array | null, counts: number[]): Promise<Float32Array> {
    if (data === null) throw new ParallelError('scatterv: rank 0 must pass the data');
    const at: number[] = [0];
    for (let r = 1; r < this.size; r++) at.push(at[r - 1] + counts[r - 1]);
    await this.sendAll(
      (r) => new Uint8Array(data.buffer, data.byteOffset + at[r] * 4, counts[r] * 4),
    );
    return data.slice(0, counts[0]);
  }

  async bcast(data: Uint8Array | null): Promise<Uint8Array> {
    if (data === null) throw new ParallelError('bcast: rank 0 must pass the data');
    await this.sendAll(() => data);
    return data;
  }

  async barrier(): Promise<void> {
    for (let r = 1; r < this.size; r++) await this.recv(r);
    await this.sendAll(() => new Uint8Array(0));
  }

  abort(_reason: string): void {
    this.kill();
  }

  /** SIGKILLs every worker still running (idempotent). */
  kill(): void {
    for (const c of this.children) {
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    }
  }

  /** Waits for every worker to exit; kills those still there after `graceMs`. */
  async close(graceMs = 5000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const exits = this.children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) resolve();
          else c.once('exit', () => resolve());
        }),
    );
    for (const p of this.peers) p.socket.end();
    const timer = setTimeout(() => this.kill(), graceMs);
    await Promise.all(exits);
    clearTimeout(timer);
    process.off('exit', this.killAll);
  }
}

/** Ranks 1…n−1 of the local engine: the child side of the socket pair on fd 3. */
export class LocalWorker implements Collectives {
  readonly engine = 'local';
  context = { step: 0, phase: 'start-up' };
  /** Unused: a worker waits for rank 0 without limit (its death closes the socket). */
  timeoutMs = Number.POSITIVE_INFINITY;
  readonly pids: number[] = [];
  private readonly peer: Peer;

  constructor(
    readonly rank: number,
    readonly size: number,
  ) {
    const socket = new Socket({ fd: 3, readable: true, writable: true });
    this.peer = new Peer(socket, (m) => new ParallelError(m));
    // Rank 0 gone (exited, killed): nothing left to do here.
    socket.on('close', () => this.peer.fail(new ParallelError('rank 0 closed the connection')));
  }

  private recv(): Promise<Uint8Array> {
    // No timeout towards rank 0: it may be evaluating or checkpointing; its death closes the socket.
    return this.peer.recv(Number.POSITIVE_INFINITY, () => new ParallelError('unreachable'));
  }

  /** Tells rank 0 this worker is ready. */
  ready(): Promise<void> {
    return this.peer.send(new Uint8Array(0));
  }

  /** Reports a fatal error to rank 0 (it names this worker and the step). */
  reportError(message: string): void {
    try {
      this.peer.send(Buffer.from(message, 'utf8'), ERROR).catch(() => {});
    } catch {
      // the connection is already gone
    }
  }

  async allreduceSum(data: Float32Array): Promise<void> {
    await this.peer.send(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    data.set(new Float32Array((await this.recv()).buffer));
  }

  async gatherv(data: Float32Array): Promise<null> {
    await this.peer.send(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return null;
  }

  async scatterv(): Promise<Float32Array> {
    return new Float32Array((await this.recv()).buffer);
  }

  async bcast(): Promise<Uint8Array> {
    return this.recv();
  }

  async barrier(): Promise<void> {
    await this.peer.send(new Uint8Array(0));
    await this.recv();
  }

  abort(reason: string): void {
    this.reportError(reason);
    process.exit(1);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.peer.socket.end(resolve));
  }
}
