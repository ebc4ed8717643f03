import { SchemaType } from '@kafkajs/confluent-schema-registry';
import { describe, expect, it } from 'vitest';
import { recordNameOf, subjectName } from '../../../../src/adapters/schema-registry/subject-name.js';
import { schemaIdOf } from '../../../../src/adapters/schema-registry/schema-deserializer.js';
import { ErrorCode, isTenantBalancerError } from '../../../../src/domain/errors.js';

describe('subject names', () => {
  it('follows the topic, record and topic-record strategies', () => {
    expect(subjectName('topic', 'orders', 'ktb.Order')).toBe('orders-value');
    expect(subjectName('record', 'orders', 'ktb.Order')).toBe('ktb.Order');
    expect(subjectName('topic-record', 'orders', 'ktb.Order')).toBe('orders-ktb.Order');
  });

  it('names the record as Avro, JSON Schema and Protobuf do', () => {
    const avro = { type: 'record', name: 'Order', namespace: 'ktb', fields: [] };
    expect(recordNameOf({ type: SchemaType.AVRO, schema: JSON.stringify(avro) })).toBe('ktb.Order');
    expect(recordNameOf({ type: SchemaType.JSON, schema: '{"title":"ktb.Order"}' })).toBe('ktb.Order');
    const proto = 'syntax = "proto3";\npackage ktb.p;\nmessage Order { int64 id = 1; }\n';
    expect(recordNameOf({ type: SchemaType.PROTOBUF, schema: proto })).toBe('ktb.p.Order');
  });
});

describe('schemaIdOf', () => {
  it('reads the 4-byte id after the magic byte', () => {
    expect(schemaIdOf(Buffer.from([0, 0, 0, 1, 2, 9]))).toBe(258);
  });
  it('refuses a value that is not in the wire format', () => {
    let err: unknown;
    try {
      schemaIdOf(Buffer.from('{"a":1}'));
    } catch (e) {
      err = e;
    }
    expect(isTenantBalancerError(err, ErrorCode.SchemaDecodeFailed)).toBe(true);
  });
});
