export { describeObject } from '../model/manifest';
