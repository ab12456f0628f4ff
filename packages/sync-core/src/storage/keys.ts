/**
 * Key rules, enforced once by core (`checkedStorage`) so adapters only do I/O.
 * A key is a relative, `/`-separated, NFC-normalized path with no empty, `.` or `..` segment,
 * no control characters or backslashes, and at most 1,024 UTF-8 bytes.
 */
import { StorageError } from './errors.js';

const MAX_KEY_BYTES = 1024;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Why `key` is not a valid storage key, for a message (e.g. `not NFC-normalized`); undefined when it is valid. */
export function keyProblem(key: string): string | undefined {
  if (typeof key !== 'string') return 'not a string';
  if (key.length === 0) return 'empty';
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) return `longer than ${MAX_KEY_BYTES} bytes`;
  if (CONTROL.test(key)) return 'contains a control character (NUL, newline, …)';
  if (key.includes('\\')) return 'contains a backslash';
  if (key.normalize('NFC') !== key) return 'not NFC-normalized';
  if (key.startsWith('/')) return 'absolute (starts with /)';
  if (/^[A-Za-z]:/.test(key)) return 'starts with a drive letter';
  for (const segment of key.split('/')) {
    if (segment === '') return 'has an empty segment (// or a trailing /)';
    if (segment === '.' || segment === '..') return `has a "${segment}" segment`;
  }
  return undefined;
}

export function assertValidKey(key: string): void {
  const problem = keyProblem(key);
  if (problem) throw new StorageError('InvalidKey', `invalid storage key ${JSON.stringify(key)}: ${problem}`);
}

/** A prefix is '' or any string that could start a valid key (it may end inside a segment or with '/'). */
export function assertValidPrefix(prefix: string): void {
  if (prefix === '') return;
  const probe = prefix.endsWith('/') ? `${prefix}x` : prefix;
  const problem = keyProblem(probe);
  if (problem) throw new StorageError('InvalidKey', `invalid storage prefix ${JSON.stringify(prefix)}: ${problem}`);
}

/** Code point order (= UTF-8 byte order, S3's order); JS `<` compares UTF-16 units instead. */
export function compareKeys(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const cx = x.value.codePointAt(0)!;
    const cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx < cy ? -1 : 1;
  }
}
