import { describe, expect, it } from 'vitest';
import { registryConnectionFromEnv } from '../../../../src/adapters/schema-registry/registry-client.js';

describe('registryConnectionFromEnv', () => {
  it('reads SCHEMA_REGISTRY_URL and basic auth, like the broker settings', () => {
    expect(registryConnectionFromEnv({})).toBeUndefined();
    expect(registryConnectionFromEnv({ SCHEMA_REGISTRY_URL: 'http://r:8081' })).toEqual({
      url: 'http://r:8081',
    });
    expect(
      registryConnectionFromEnv({
        SCHEMA_REGISTRY_URL: 'https://r',
        SCHEMA_REGISTRY_USERNAME: 'u',
        SCHEMA_REGISTRY_PASSWORD: 'p',
      }),
    ).toEqual({ url: 'https://r', username: 'u', password: 'p' });
  });

  it('refuses a URL that is not http(s), and a user without a password', () => {
    expect(() => registryConnectionFromEnv({ SCHEMA_REGISTRY_URL: 'r:8081' })).toThrow('KTB_CONFIG_INVALID');
    expect(() =>
      registryConnectionFromEnv({ SCHEMA_REGISTRY_URL: 'http://r', SCHEMA_REGISTRY_USERNAME: 'u' }),
    ).toThrow('SCHEMA_REGISTRY_PASSWORD');
  });
});
