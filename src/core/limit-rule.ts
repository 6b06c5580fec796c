/** "N attempts per window": a limit of N allows N; the next is refused. */
export interface LimitRule {
  limit: number;
  windowSeconds: number;
}
