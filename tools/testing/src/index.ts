export { nodeOnlyImports, reachableImports, resolveExisting, resolveTs } from './reachableImports';
