export const PACKAGE_NAME = '@cxr/metrics';
