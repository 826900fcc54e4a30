import { constants } from 'node:buffer';
import { readFileSync, statSync } from 'node:fs';
import { gunzipSync, inflateRawSync, constants as zlibConstants } from 'node:zlib';
import { received } from '@rectifier/core';
import { checkOptionKeys, DataArgumentError, IdxFormatError, IdxSizeError } from './errors';

/** A parsed IDX array (the MNIST file format). */
export interface IdxArray {
  /** Dimension sizes, e.g. [60000, 28, 28] for images, [60000] for labels. */
  shape: number[];
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const TYPES: Record<number, { bytes: number; name: string }> = {
  8: { bytes: 1, name: 'uint8' },
  9: { bytes: 1, name: 'int8' },
  11: { bytes: 2, name: 'int16' },
  12: { bytes: 4, name: 'int32' },
  13: { bytes: 4, name: 'float32' },
  14: { bytes: 8, name: 'float64' },
};

/** Options of {@link parseIdx} and {@link readIdx}. */
export interface IdxOptions {
  /**
   * Largest IDX content (header + payload) accepted, in bytes; a header declaring more is refused
   * before anything is inflated. Default 1 GiB: 20× the full Fashion-MNIST training images (47 MB).
   */
  maxBytes?: number;
}

/** 1 GiB: see {@link IdxOptions.maxBytes}. */
const DEFAULT_MAX_BYTES = 2 ** 30;

/** The IDX header is at most 4 + 4·255 bytes (ndim is one byte). */
const MAX_HEADER_BYTES = 4 + 4 * 255;

function checkIdxOptions(options: IdxOptions): number {
  checkOptionKeys(options, ['maxBytes'], 'readIdx');
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0 || maxBytes > constants.MAX_LENGTH) {
    throw new DataArgumentError(
      `Argument \`maxBytes\` must be a positive integer of at most ${constants.MAX_LENGTH} (Node's largest buffer). Received: maxBytes=${received(maxBytes)}`,
    );
  }
  return maxBytes;
}

/** Offset of the deflate data in a gzip member (RFC 1952 §2.3: fixed 10 bytes + optional fields). */
function gzipDataOffset(b: Uint8Array): number {
  const flags = b[3];
  let i = 10;
  if (flags & 0x04) i += 2 + (b[i] | (b[i + 1] << 8)); // FEXTRA
  for (const bit of [0x08, 0x10]) {
    // FNAME, FCOMMENT: zero-terminated
    if (flags & bit) {
      while (i < b.length && b[i] !== 0) i++;
      i++;
    }
  }
  if (flags & 0x02) i += 2; // FHCRC
  return i;
}

/**
 * The first bytes of a gzip stream's output, enough to hold an IDX header. Inflates growing
 * prefixes of the compressed data only: deflate emits at most ~1,032 bytes per input byte, so
 * no probe can blow up, and 4 KiB of input always holds the first 1,028 output bytes.
 */
function gunzipHead(b: Uint8Array, name: string): Uint8Array {
  const start = gzipDataOffset(b);
  let head = new Uint8Array(0);
  for (const n of [64, 256, 1024, 4096]) {
    const prefix = b.subarray(start, start + n);
    try {
      head = inflateRawSync(prefix, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    } catch (cause) {
      throw new IdxFormatError(name, `Corrupt gzip stream (${(cause as Error).message})`);
    }
    if (head.length >= 4 && head.length >= 4 + 4 * head[3]) break;
    if (start + n >= b.length) break;
  }
  return head;
}

/** Header fields of an IDX array: element type, shape, payload offset and total size. */
function readHeader(b: Uint8Array, name: string) {
  if (b.length < 4 || b[0] !== 0 || b[1] !== 0 || !(b[2] in TYPES)) {
    throw new IdxFormatError(name, 'Not an IDX file: the magic must be 00 00 <type> <ndim>');
  }
  const type = TYPES[b[2]];
  const ndim = b[3];
  if (b.length < 4 + 4 * ndim) throw new IdxFormatError(name, 'Truncated IDX header');
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < ndim; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const count = shape.reduce((a, s) => a * s, 1);
  const offset = 4 + 4 * ndim;
  return { type, shape, count, offset, total: offset + count * type.bytes };
}

function checkDeclared(total: number, shape: number[], maxBytes: number, name: string): void {
  if (total > maxBytes) {
    throw new IdxSizeError(
      name,
      `The IDX header declares shape [${shape}], ${total} bytes, above the limit of ${maxBytes} ` +
        'bytes: a corrupt file, or pass a larger `maxBytes` if it is real',
    );
  }
}

/**
 * Parses IDX bytes: magic `00 00 <type> <ndim>`, then ndim big-endian uint32 sizes, then the
 * big-endian payload. Gzip is detected from its magic (1f 8b), so `.gz` and raw files both work.
 * A gzip stream is inflated only up to the size its IDX header declares: more output (a corrupt
 * file or a decompression bomb) throws {@link IdxSizeError} as soon as it appears, so memory is
 * bounded by the declared size, itself bounded by `maxBytes`.
 */
export function parseIdx(bytes: Uint8Array, name = '<buffer>', options: IdxOptions = {}): IdxArray {
  const maxBytes = checkIdxOptions(options);
  let b = bytes;
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) {
    const head = gunzipHead(b, name);
    const declared = readHeader(head, name);
    checkDeclared(declared.total, declared.shape, maxBytes, name);
    try {
      b = gunzipSync(b, { maxOutputLength: Math.max(1, declared.total) });
    } catch (cause) {
      if ((cause as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new IdxSizeError(
          name,
          `The gzip stream inflates to more than the ${declared.total} bytes its IDX header ` +
            `declares (shape [${declared.shape}]); stopped there. The file is corrupt or a ` +
            'decompression bomb: download it again',
        );
      }
      throw new IdxFormatError(name, `Corrupt gzip stream (${(cause as Error).message})`);
    }
  }
  const { type, shape, count, offset, total } = readHeader(b, name);
  checkDeclared(total, shape, maxBytes, name);
  if (b.length < total) {
    throw new IdxFormatError(
      name,
      `Truncated IDX payload: shape [${shape}] needs ${count * type.bytes} bytes, ` +
        `found ${b.length - offset}`,
    );
  }
  const payload = b.subarray(offset, total);
  let data: IdxArray['data'];
  switch (type.name) {
    case 'uint8':
      data = new Uint8Array(payload);
      break;
    case 'int8':
      data = new Int8Array(payload.buffer.slice(payload.byteOffset, payload.byteOffset + count));
      break;
    default: {
      const pv = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
      const read = {
        int16: (i: number) => pv.getInt16(i * 2, false),
        int32: (i: number) => pv.getInt32(i * 4, false),
        float32: (i: number) => pv.getFloat32(i * 4, false),
        float64: (i: number) => pv.getFloat64(i * 8, false),
      }[type.name as 'int16' | 'int32' | 'float32' | 'float64'];
      const Ctor = {
        int16: Int16Array,
        int32: Int32Array,
        float32: Float32Array,
        float64: Float64Array,
      }[type.name as 'int16' | 'int32' | 'float32' | 'float64'];
      const out = new Ctor(count);
      for (let i = 0; i < count; i++) out[i] = read(i);
      data = out;
    }
  }
  return { shape, data };
}

/**
 * Reads an IDX file, gzipped or not. Throws {@link IdxFormatError} on malformed files and
 * {@link IdxSizeError} on files above `maxBytes` (checked on the file size before reading).
 */
export function readIdx(path: string, options: IdxOptions = {}): IdxArray {
  const maxBytes = checkIdxOptions(options);
  const size = statSync(path).size;
  if (size > maxBytes + MAX_HEADER_BYTES) {
    throw new IdxSizeError(
      path,
      `The file is ${size} bytes, above the limit of ${maxBytes} bytes; pass a larger \`maxBytes\` if it is real`,
    );
  }
  return parseIdx(readFileSync(path), path, options);
}

/** Serialises an array as IDX (uint8 only — what the bundled subset uses), optionally gzipped. */
export function encodeIdxUint8(shape: number[], data: Uint8Array): Uint8Array {
  const header = new Uint8Array(4 + 4 * shape.length);
  const view = new DataView(header.buffer);
  header[2] = 0x08;
  header[3] = shape.length;
  shape.forEach((s, i) => {
    view.setUint32(4 + 4 * i, s, false);
  });
  const out = new Uint8Array(header.length + data.length);
  out.set(header);
  out.set(data, header.length);
  return out;
}
