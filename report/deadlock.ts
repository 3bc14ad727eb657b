/**
 * A deadlock as reports show it. A run that ends `deadlock` carries, in its end detail, one item
 * per thing still waiting, joined with "; ": a client thread's item reads thread → waits on →
 * held by (and says so when it closes a cycle), a broker's item names the call or cancel that
 * never returned.
 */

/** The items of a deadlock's detail, one per line. */
export function deadlockLines(detail: string | undefined): string[] {
  return (detail ?? '').split('; ').map((l) => l.trim()).filter((l) => l.length > 0);
}
