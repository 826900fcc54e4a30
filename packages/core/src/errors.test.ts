import { describe, expect, it } from 'vitest';
import { RectifierArgumentError, RectifierError } from './errors';

class PackageError extends RectifierError {}
class PackageArgumentError extends RectifierArgumentError {}
class NamedForMinifiers extends RectifierArgumentError {
  override name = 'PinnedName';
}

describe('RectifierError', () => {
  it('names every class after itself, subclasses included', () => {
    expect(new RectifierError('x').name).toBe('RectifierError');
    expect(new RectifierArgumentError('x').name).toBe('RectifierArgumentError');
    expect(new PackageError('x').name).toBe('PackageError');
    expect(new PackageArgumentError('x').name).toBe('PackageArgumentError');
    expect(new NamedForMinifiers('x').name).toBe('PinnedName');
    expect(String(new PackageArgumentError('bad n'))).toBe('PackageArgumentError: bad n');
  });

  it('keeps the instanceof chain: argument errors are Rectifier errors are Errors', () => {
    const e = new PackageArgumentError('x');
    expect(e).toBeInstanceOf(PackageArgumentError);
    expect(e).toBeInstanceOf(RectifierArgumentError);
    expect(e).toBeInstanceOf(RectifierError);
    expect(e).toBeInstanceOf(Error);
    expect(new PackageError('x')).not.toBeInstanceOf(RectifierArgumentError);
  });

  it('passes the message and the cause', () => {
    const cause = new Error('disk full');
    const e = new PackageError('cannot save', { cause });
    expect(e.message).toBe('cannot save');
    expect(e.cause).toBe(cause);
    expect(e.stack).toMatch(/PackageError: cannot save/);
  });
});
