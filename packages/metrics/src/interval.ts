/**
 * A point estimate with a confidence interval. When the estimate is undefined (a 0/0 proportion) all three
 * are `NaN`, which `JSON.stringify` writes as `null`.
 */
export interface Interval {
  value: number;
  lower: number;
  upper: number;
}
