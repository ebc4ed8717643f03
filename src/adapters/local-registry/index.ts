export {
  startRegistry,
  stopRegistry,
  registryStatus,
  type RegistryStatus,
  type RegistryStartResult,
} from './registry.js';
export {
  defaultLocalRegistryOptions,
  registryUrl,
  managementPort,
  apicurioArtifact,
  type LocalRegistryOptions,
} from './options.js';
export { findRegistryJava, registryJavaMin, type FoundJava } from './java21.js';
export { ensureDistribution } from './distribution.js';
