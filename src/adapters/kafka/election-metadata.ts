import { checkAdvertisedUrl } from '../../domain/advertised-url.js';

/**
 * What each member of the controllers' election group tells the others when it joins, in the
 * layout of Kafka's consumer protocol (int16 version, array of topic names, bytes userData), with
 * one field appended:
 *
 *   version int16 | topics int32 count x (int16 length + UTF-8) | userData int32 length + bytes
 *   | extension int32 length + UTF-8 JSON {"url": "<advertised dashboard/API URL>"}
 *
 * userData stays the plain `leader` / `standby` that controllers always wrote, and readers of this
 * layout (kafkajs's MemberMetadata.decode, and older controllers' sticky assigner with it) ignore
 * bytes after userData, as Kafka's own consumer protocol versions append their new fields. So in a
 * rolling upgrade an older assigner still recognizes a newer leader and keeps leadership where it
 * is; an older member simply advertises no URL ("leader: unknown").
 *
 * The bytes come from Kafka and anyone allowed to join the group can write them: decoding is
 * bounds-checked, never throws, and an extension that is not a small JSON object with a valid
 * http(s) URL yields no URL.
 */

export type ElectionRole = 'leader' | 'standby';

export interface ElectionMetadata {
  /** what the member said when it joined; undefined when the bytes are not the layout above */
  readonly role: ElectionRole | undefined;
  /** its advertised URL, checked (checkAdvertisedUrl); undefined when absent or refused */
  readonly url: string | undefined;
}

/** Metadata larger than this is not ours (ours is under 1 KiB). */
const MAX_METADATA_BYTES = 64 * 1024;
const MAX_EXTENSION_BYTES = 4096;
const MAX_TOPICS = 64;

const int16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const str16 = (s: string) => {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([int16(b.length), b]);
};
const bytes32 = (b: Buffer) => Buffer.concat([int32(b.length), b]);

export function encodeElectionMetadata(m: {
  readonly topics: readonly string[];
  readonly role: ElectionRole;
  readonly url: string | undefined;
}): Buffer {
  return Buffer.concat([
    int16(1),
    int32(m.topics.length),
    ...m.topics.map(str16),
    bytes32(Buffer.from(m.role, 'utf8')),
    ...(m.url === undefined ? [] : [bytes32(Buffer.from(JSON.stringify({ url: m.url }), 'utf8'))]),
  ]);
}

/** A bounds-checked reader over untrusted bytes: every read returns undefined past the end. */
class Cursor {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  int16(): number | undefined {
    if (this.remaining < 2) return undefined;
    const n = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return n;
  }

  int32(): number | undefined {
    if (this.remaining < 4) return undefined;
    const n = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return n;
  }

  take(n: number | undefined): Buffer | undefined {
    if (n === undefined || n < 0 || n > this.remaining) return undefined;
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
}

const UNKNOWN: ElectionMetadata = { role: undefined, url: undefined };

export function decodeElectionMetadata(buf: Buffer | null | undefined): ElectionMetadata {
  if (!buf || buf.length > MAX_METADATA_BYTES) return UNKNOWN;
  const c = new Cursor(buf);
  if (c.int16() === undefined) return UNKNOWN;
  const topics = c.int32();
  if (topics === undefined || topics < 0 || topics > MAX_TOPICS) return UNKNOWN;
  for (let i = 0; i < topics; i++) if (c.take(c.int16()) === undefined) return UNKNOWN;
  const userData = c.take(c.int32());
  if (userData === undefined) return UNKNOWN;
  const said = userData.toString('utf8');
  const role = said === 'leader' || said === 'standby' ? said : undefined;
  return { role, url: c.remaining > 0 ? extensionUrl(c) : undefined };
}

function extensionUrl(c: Cursor): string | undefined {
  const len = c.int32();
  if (len === undefined || len > MAX_EXTENSION_BYTES) return undefined;
  const raw = c.take(len);
  if (raw === undefined) return undefined;
  let ext: unknown;
  try {
    ext = JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof ext !== 'object' || ext === null || Array.isArray(ext)) return undefined;
  const r = checkAdvertisedUrl((ext as Record<string, unknown>)['url']);
  return r.ok ? r.url : undefined;
}

/**
 * Whether a member assignment (int16 version | int32 count x (topic + int32 count x int32
 * partition) | userData) gives the member `partition` of `topic`. False for anything malformed.
 */
export function assignmentHolds(buf: Buffer | null | undefined, topic: string, partition: number): boolean {
  if (!buf || buf.length > MAX_METADATA_BYTES) return false;
  const c = new Cursor(buf);
  if (c.int16() === undefined) return false;
  const topics = c.int32();
  if (topics === undefined || topics < 0 || topics > MAX_TOPICS) return false;
  let holds = false;
  for (let i = 0; i < topics; i++) {
    const name = c.take(c.int16());
    const count = c.int32();
    if (name === undefined || count === undefined || count < 0 || count * 4 > c.remaining) return false;
    const mine = name.toString('utf8') === topic;
    for (let j = 0; j < count; j++) if (c.int32() === partition && mine) holds = true;
  }
  return holds;
}
