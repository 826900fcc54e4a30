/**
 * Test helper (not shipped: `files` leaves out src/testing). A stream that records what is
 * written; `isTTY` picks bar or lines under `auto`.
 */
export function fakeStream(isTTY: boolean) {
  const out: string[] = [];
  const stream = {
    isTTY,
    columns: 200,
    write: (chunk: string) => out.push(chunk) > 0,
    // What cli-progress's terminal calls through Node's readline on a TTY.
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
  };
  return { out, stream };
}
