import sharp from 'sharp';

/** What sharp reports when libvips' error buffer was empty by the time it read it. */
const UNKNOWN = 'Unknown error';

/** Non-empty lines of a libvips message, each once, in order. */
function distinctLines(message: string): string[] {
  return [...new Set(message.split('\n').map((l) => l.trim()))].filter((l) => l.length > 0);
}

function isInformative(lines: string[]): boolean {
  return lines.length > 0 && !(lines.length === 1 && lines[0] === UNKNOWN);
}

/** Our own reading of bytes libvips gave no reason for. */
function describeBytes(bytes: Uint8Array): string {
  if (bytes.length === 0) return 'the file is empty';
  const jpeg = bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xd8;
  const ends = bytes.length >= 2 && bytes[bytes.length - 2] === 0xff && bytes.at(-1) === 0xd9;
  if (jpeg && !ends) {
    return `truncated JPEG: ${bytes.length} bytes and no end-of-image marker (libvips gave no message)`;
  }
  return `libvips gave no message for these ${bytes.length} bytes (sharp said "${UNKNOWN}")`;
}

/**
 * The reason a decode of `bytes` failed, as libvips states it. libvips keeps one error buffer
 * per process: concurrent decodes append their lines to each other's and clear it, so sharp
 * reports repeated lines or just "Unknown error" for a truncated JPEG about half the time under
 * the loader's concurrency. Lines are de-duplicated; an empty reason is asked for again by one
 * more decode of the same bytes, and if libvips still says nothing, described from the bytes.
 */
export async function decodeFailureReason(cause: unknown, bytes: Uint8Array): Promise<string> {
  let lines = distinctLines(cause instanceof Error ? cause.message : String(cause));
  if (!isInformative(lines)) {
    try {
      await sharp(bytes, { failOn: 'truncated' }).raw().toBuffer();
    } catch (again) {
      lines = distinctLines(again instanceof Error ? again.message : String(again));
    }
  }
  return isInformative(lines) ? lines.join('; ') : describeBytes(bytes);
}
