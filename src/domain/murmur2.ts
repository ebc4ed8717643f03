/**
 * Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2), byte for byte, so a tenant hashed
 * over the shared pool lands where the Java client would put the same key on that pool.
 * Test vectors generated from the Java client live in test/fixtures/murmur2-java-vectors.json.
 */
const SEED = 0x9747b28c;
const M = 0x5bd1e995;

export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = SEED ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k =
      (data[i]! & 0xff) |
      ((data[i + 1]! & 0xff) << 8) |
      ((data[i + 2]! & 0xff) << 16) |
      ((data[i + 3]! & 0xff) << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }
  const rest = length & 3;
  if (rest === 3) h ^= (data[whole + 2]! & 0xff) << 16;
  if (rest >= 2) h ^= (data[whole + 1]! & 0xff) << 8;
  if (rest >= 1) {
    h ^= data[whole]! & 0xff;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

export const toPositive = (n: number): number => n & 0x7fffffff;

/** The Java client's partition for a key: toPositive(murmur2(bytes)) % n. */
export const partitionForKey = (key: string | Uint8Array, n: number): number =>
  toPositive(murmur2(typeof key === 'string' ? Buffer.from(key, 'utf8') : key)) % n;
