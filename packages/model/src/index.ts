export const PACKAGE_NAME = '@cxr/model';
