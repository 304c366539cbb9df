export const PACKAGE_NAME = '@cxr/dataset';
