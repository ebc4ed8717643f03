// The header names are defined once, in src/domain/record-headers.ts; this re-export keeps the imports of
// the smart producer and the OTel hooks working until they import the domain module (issue #14).
export { Headers } from '../../domain/record-headers.js';
