/**
 * The one list of accepted differences between our output and a conformance reference. Every entry
 * says why (an artifact of the sample, a documented spec decision). Anything not listed fails
 * `test/conformance/conformance.test.ts`. Keep entries narrow: one pair pattern, one path pattern.
 */
import type { Deviation } from './types.js';

export const deviations: Deviation[] = [
  // ── CloudTrail ────────────────────────────────────────────────────────────
  // (end CloudTrail)

  // ── VPC Flow ──────────────────────────────────────────────────────────────
  // (end VPC Flow)

  // ── Route 53 ──────────────────────────────────────────────────────────────
  // (end Route 53)

  // ── Security Hub ──────────────────────────────────────────────────────────
  // (end Security Hub)

  // ── EKS audit ─────────────────────────────────────────────────────────────
  // (end EKS audit)
];
