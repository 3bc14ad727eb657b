/**
 * A callback's id in a state key. Brokers number their callbacks per call (`c1#3`, `c1#4f`); the
 * number says how many callbacks came before, which no future verdict depends on, and keeping it
 * would split states that differ only in how objects were batched (two Indicates of one object
 * each, or one of two). The call and the kind stay.
 */
export function callbackKey(cb: string): string {
  return cb.replace(/#\d+/, '#');
}
