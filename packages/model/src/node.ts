export { PACKAGE_NAME } from './index';
