/**
 * Value serializers. Async-capable (`serialize` may return a promise) so an Avro serializer that
 * registers its schema with a registry fits the same interface later.
 */
export interface Serializer<T> {
  readonly name: string;
  serialize(value: T, ctx: { topic: string; tenant: string | undefined }): Buffer | Promise<Buffer>;
}

export const stringSerializer: Serializer<string> = {
  name: 'string',
  serialize: (v) => Buffer.from(v, 'utf8'),
};
export const jsonSerializer: Serializer<unknown> = {
  name: 'json',
  serialize: (v) => Buffer.from(JSON.stringify(v), 'utf8'),
};
export const bytesSerializer: Serializer<Buffer | Uint8Array> = {
  name: 'bytes',
  serialize: (v) => (Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength)),
};
