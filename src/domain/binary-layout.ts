import { ErrorCode, TenantBalancerError } from './errors.js';

/**
 * The little binary layout of traffic reports v2: unsigned LEB128 varints (up to 2^53, JavaScript's
 * safe integers, with arithmetic rather than 32-bit bit operations), fixed u32 counts (so a part's
 * size is known before it is written) and length-prefixed UTF-8 strings.
 */
export const uvarintSize = (n: number): number => {
  let size = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
};

export const strSize = (s: string): number => {
  const b = Buffer.byteLength(s, 'utf8');
  return uvarintSize(b) + b;
};

export class ByteWriter {
  private pos = 0;
  constructor(readonly buf: Buffer) {}

  u8(n: number): void {
    this.buf[this.pos++] = n;
  }

  u32(n: number): void {
    this.buf.writeUInt32BE(n, this.pos);
    this.pos += 4;
  }

  f64(n: number): void {
    this.buf.writeDoubleBE(n, this.pos);
    this.pos += 8;
  }

  uv(n: number): void {
    while (n >= 128) {
      this.buf[this.pos++] = (n % 128) | 128;
      n = Math.floor(n / 128);
    }
    this.buf[this.pos++] = n;
  }

  str(s: string): void {
    const len = Buffer.byteLength(s, 'utf8');
    this.uv(len);
    this.buf.write(s, this.pos, 'utf8');
    this.pos += len;
  }

  get written(): number {
    return this.pos;
  }
}

/** Reads untrusted bytes: every read is bounds-checked and fails with KTB_REPORT_MALFORMED. */
export class ByteReader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}

  fail(msg: string): never {
    throw new TenantBalancerError(ErrorCode.ReportMalformed, `${msg} (at byte ${this.pos})`);
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) this.fail(`truncated: ${n} more bytes expected`);
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  u32(): number {
    this.need(4);
    const n = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return n;
  }

  f64(): number {
    this.need(8);
    const n = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return n;
  }

  uv(what: string): number {
    // one byte: most counts, lengths and partitions (a fast path: the controller decodes every entry)
    const first = this.buf[this.pos];
    if (first !== undefined && first < 128) {
      this.pos++;
      return first;
    }
    let n = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.u8();
      n += (b & 127) * scale;
      if (b < 128) {
        if (n > Number.MAX_SAFE_INTEGER) this.fail(`${what} ${n} above 2^53`);
        return n;
      }
      scale *= 128;
    }
    return this.fail(`${what}: varint longer than 8 bytes`);
  }

  str(what: string, maxBytes: number): string {
    const len = this.uv(what);
    if (len < 1 || len > maxBytes) this.fail(`${what} length ${len} not in 1..${maxBytes}`);
    this.need(len);
    const start = this.pos;
    const end = start + len;
    this.pos = end;
    // ASCII (tenant ids usually are) decodes faster as latin1, and reads the same
    for (let i = start; i < end; i++) if (this.buf[i]! >= 128) return this.buf.toString('utf8', start, end);
    return this.buf.toString('latin1', start, end);
  }

  /** A count of entries of at least `minBytes` each: never more than the bytes left could hold. */
  count(what: string, minBytes: number): number {
    const n = this.u32();
    if (n * minBytes > this.remaining)
      this.fail(`${what} count ${n} exceeds what ${this.remaining} bytes hold`);
    return n;
  }
}
