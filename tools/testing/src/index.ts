export { nodeOnlyImports, reachableImports, resolveExisting, resolveTs } from './reachableImports';
export { itRequiredOnCi, itWithSharedFile, requiredOnCi, sharedDataDir } from './requiredOnCi';
