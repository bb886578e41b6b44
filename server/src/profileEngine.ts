/**
 * The profiling part of the engine, in one module the server imports lazily (it carries
 * ts-morph and the TypeScript compiler, which the rest of the server does not need).
 */
export { analyzeProfile } from '../../engine/profile/analyze';
export { compareProfiles } from '../../engine/profile/compare';
export { componentSources, configKeyUsages, entryScriptOf } from '../../engine/profile/configKeys';
export { hotPathFindings } from '../../engine/profile/hotChecks';
export { relocateResult } from '../../engine/profile/relocateResult';
export { profileOsProcess } from '../../engine/profile/osProcess';
export { findComponent, inspectFlagPort, inspectPortOf } from '../../engine/profile/profileComponent';
export { profileComponent, profileStoreFor } from '../../engine/profile/profileComponent';
