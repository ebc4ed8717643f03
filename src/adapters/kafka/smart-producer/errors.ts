import { ErrorCode, TenantBalancerError } from '../../../domain/errors.js';
import type { PendingRecord } from './pending-record.js';
import type { RecordMetadata, SmartRecord } from './types.js';

/** Anything a record failed with, as the TenantBalancerError its callback receives. */
export const toTenantBalancerError = (e: unknown): TenantBalancerError =>
  e instanceof TenantBalancerError
    ? e
    : new TenantBalancerError(ErrorCode.SendFailed, String(e), { cause: e });

/** sendMany() when some records failed: which (by index) and the metadata of those that were sent. */
export class SendManyError extends TenantBalancerError {
  constructor(
    readonly failed: readonly { readonly index: number; readonly error: TenantBalancerError }[],
    readonly results: readonly (RecordMetadata | undefined)[],
  ) {
    const first = [...failed].sort((a, b) => a.index - b.index)[0]!;
    super(
      first.error.code,
      `${failed.length} of ${results.length} record(s) failed; the first (index ${first.index}): ${first.error.message}`,
      { cause: first.error },
    );
  }
}

/**
 * Offers records in order and gathers their outcomes into one promise (SmartProducer.sendMany):
 * each record's metadata in the given order, or a SendManyError once all have settled.
 */
export function collectMany<V>(
  records: readonly SmartRecord<V>[],
  offer: (record: SmartRecord<V>, done: PendingRecord['done']) => void,
): Promise<RecordMetadata[]> {
  return new Promise((resolve, reject) => {
    const results = new Array<RecordMetadata | undefined>(records.length);
    let failed: { index: number; error: TenantBalancerError }[] | undefined;
    let left = records.length;
    if (left === 0) {
      resolve([]);
      return;
    }
    const settle = (): void => {
      if (--left > 0) return;
      if (failed === undefined) resolve(results as RecordMetadata[]);
      else reject(new SendManyError(failed, results));
    };
    for (let i = 0; i < records.length; i++)
      offer(records[i]!, (err, md) => {
        if (err) (failed ??= []).push({ index: i, error: err });
        else results[i] = md;
        settle();
      });
  });
}
