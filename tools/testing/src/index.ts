export { nodeOnlyImports, reachableImports, resolveExisting, resolveTs } from './reachableImports';
export { itRequiredOnCi, itWithSharedFile, requiredOnCi, sharedDataDir } from './requiredOnCi';
export { byteMutant, csvMutant, refusalProblems } from './fuzzMutants';
export type { ByteMutantOptions, Mutant } from './fuzzMutants';
