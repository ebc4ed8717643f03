import { describe, expect, it } from 'vitest';
import {
  isRegistryUnavailable,
  registryError,
} from '../../../../src/adapters/schema-registry/registry-errors.js';
import { ErrorCode } from '../../../../src/domain/errors.js';

// The shape of the library's ResponseError (mappersmith): a message and an HTTP status.
const response = (status: number, message: string): Error => Object.assign(new Error(message), { status });
const url = 'http://127.0.0.1:1/apis/ccompat/v7';

describe('registry errors', () => {
  it('treats a refused connection (reported as HTTP 400), 5xx and 429 as unavailable, and 4xx as final', () => {
    expect(isRegistryUnavailable(response(400, 'Error, status 400: connect ECONNREFUSED 127.0.0.1:1'))).toBe(
      true,
    );
    expect(isRegistryUnavailable(response(503, 'Service Unavailable'))).toBe(true);
    expect(isRegistryUnavailable(response(429, 'slow down'))).toBe(true);
    expect(isRegistryUnavailable(response(409, 'Incompatible artifact'))).toBe(false);
    expect(isRegistryUnavailable(response(404, 'Subject not found'))).toBe(false);
  });

  it.each([
    [response(400, 'connect ECONNREFUSED'), ErrorCode.SchemaRegistryUnavailable],
    [response(409, 'RuleViolationException: Incompatible artifact'), ErrorCode.SchemaIncompatible],
    [response(404, "Subject 'x' not found."), ErrorCode.SchemaNotFound],
    [response(401, 'Unauthorized'), ErrorCode.SchemaRejected],
    [response(422, 'Invalid schema'), ErrorCode.SchemaRejected],
  ])('maps %s to its code', (e, code) => {
    const err = registryError(e, 'registering "t-value"', url);
    expect(err.code).toBe(code);
    expect(err.message).toContain('registering "t-value"');
  });
});
