/**
 * Who writes under a writer id: a person's name and the machine, so `log` can say "Ana on
 * office-pc" rather than a writer id (docs/PROTOCOL.md §3.8). One small write-once object per
 * writer and name, stored like a segment (format 1: gzip'd JSON; format 2: a frame, sealed with
 * the data key in an encrypted repository, so the remote learns no name):
 *
 *   authors/<writer>/<from seq, 10 digits>
 *
 * It names the author of that writer's segments from `fromSeq` on, until an object with a higher
 * `fromSeq` (the person changed the name). Readers that predate these objects never list
 * `authors/`, so a repository with them stays readable by every earlier release.
 */
import { z } from 'zod';
import { sha256 } from '../model/hashing.js';
import type { RepositoryCodec } from '../codec/repository-codec.js';
import { WRITER_ID } from './segment-schema.js';
import type { Author, AuthorRecord } from '../model/author.js';
import { lazily } from '../model/lazily.js';

export type { Author, AuthorRecord };

export const AUTHORS_PREFIX = 'authors/';
/** An author object is tiny: anything larger is not one (and is never read whole into memory). */
export const MAX_AUTHOR_OBJECT_BYTES = 4096;
const MAX_AUTHOR_NAME = 200;

const KEY = /^authors\/([A-Za-z0-9_.-]+)\/(\d{10})$/;

/** No control characters: a name is printed in a terminal as is. */
const name = lazily(() =>
  z
    .string()
    .min(1)
    .max(MAX_AUTHOR_NAME)
    .regex(/^[^\p{Cc}]+$/u, 'a name without control characters'),
);

const authorSchema = lazily(() =>
  z.strictObject({
    syncacross: z.literal('author'),
    writer: z.string().regex(WRITER_ID),
    fromSeq: z.number().int().min(1).max(9_999_999_999),
    user: name(),
    machine: name(),
  }),
);

const authorKey = (writer: string, fromSeq: number) => `${AUTHORS_PREFIX}${writer}/${String(fromSeq).padStart(10, '0')}`;

/** Whether a name is one an author object can carry (what `config set user` accepts). */
export function checkAuthorName(value: string): string | undefined {
  const r = name().safeParse(value);
  return r.success ? undefined : `a name of 1 to ${MAX_AUTHOR_NAME} characters without control characters`;
}

export function encodeAuthor(codec: RepositoryCodec, writer: string, fromSeq: number, author: Author): { key: string; bytes: Uint8Array } {
  const key = authorKey(writer, fromSeq);
  const body = { syncacross: 'author', writer, fromSeq, user: author.user, machine: author.machine };
  return { key, bytes: codec.storeSegment(JSON.stringify(body), key) };
}

/** The author an object names, or why it is not one (wrong key form, does not authenticate, bad fields, another name's bytes). */
export function decodeAuthor(codec: RepositoryCodec, key: string, bytes: Uint8Array): AuthorRecord | string {
  const m = KEY.exec(key);
  if (!m) return 'not an author object name';
  if (bytes.byteLength > MAX_AUTHOR_OBJECT_BYTES) return `over ${MAX_AUTHOR_OBJECT_BYTES} bytes`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(codec.loadSegment(bytes, key, MAX_AUTHOR_OBJECT_BYTES)).toString('utf8'));
  } catch (e) {
    return `cannot be decoded: ${(e as Error).message}`;
  }
  const checked = authorSchema().safeParse(parsed);
  if (!checked.success) return 'not an author object';
  const a = checked.data;
  // The body must be for this very name: a copy moved to another writer's name names nobody.
  if (a.writer !== m[1] || a.fromSeq !== Number(m[2])) return 'its content is for another name';
  return { key, writer: a.writer, fromSeq: a.fromSeq, user: a.user, machine: a.machine };
}

/** A short, stable fingerprint of what this node published last (kept in the round state). */
/** How a message names a writer id: its person and machine where published, and the id. */
export const writerLabel = (writer: string, author: Author | undefined) => (author ? `${author.user} on ${author.machine} (${writer})` : writer);

export const authorFingerprint = (writer: string, author: Author) => sha256(JSON.stringify([writer, author.user, author.machine])).slice(0, 16);
