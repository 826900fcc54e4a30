import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { IdxFormatError } from './errors';

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

/**
 * Parses IDX bytes: magic `00 00 <type> <ndim>`, then ndim big-endian uint32 sizes, then the
 * big-endian payload. Gzip is detected from its magic (1f 8b), so `.gz` and raw files both work.
 */
export function parseIdx(bytes: Uint8Array, name = '<buffer>'): IdxArray {
  let b = bytes;
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) {
    try {
      b = gunzipSync(b);
    } catch (cause) {
      throw new IdxFormatError(name, `Corrupt gzip stream (${(cause as Error).message})`);
    }
  }
  if (b.length < 4 || b[0] !== 0 || b[1] !== 0 || !(b[2] in TYPES)) {
    throw new IdxFormatError(name, 'Not an IDX file: the magic must be 00 00 <type> <ndim>');
  }
  const type = TYPES[b[2]];
  const ndim = b[3];
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length < 4 + 4 * ndim) throw new IdxFormatError(name, 'Truncated IDX header');
  const shape: number[] = [];
  for (let i = 0; i < ndim; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const count = shape.reduce((a, s) => a * s, 1);
  const offset = 4 + 4 * ndim;
  if (b.length < offset + count * type.bytes) {
    throw new IdxFormatError(
      name,
      `Truncated IDX payload: shape [${shape}] needs ${count * type.bytes} bytes, ` +
        `found ${b.length - offset}`,
    );
  }
  const payload = b.subarray(offset, offset + count * type.bytes);
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

/** Reads an IDX file, gzipped or not. Throws {@link IdxFormatError} on malformed files. */
export function readIdx(path: string): IdxArray {
  return parseIdx(readFileSync(path), path);
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
