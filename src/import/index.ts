// Public surface of brownfield import: live state → manifest files (pure), then adoption.
export { selectImports, selectSandbox, managedKey, userDescription, type ImportSelection, type ImportedAccount, type ImportedDestination, type EnvVarNeed, type SkippedEntity, type ManagedNames } from './select.ts';
export { renderFiles, destinationFile, withoutInvalid, type ManifestFile, type RenderOptions } from './documents.ts';
export { planAdoption, runAdoption, type AdoptionWrite, type AdoptionOutcome } from './adopt.ts';
export { slugify, upperSnake, NameScope, EnvNames, NAME_RE } from './names.ts';
export { ownershipOf, ownershipLines, type Ownership, type OwnedImport } from './ownership.ts';
export { updateManifestText, type ManifestUpdate } from './update.ts';
