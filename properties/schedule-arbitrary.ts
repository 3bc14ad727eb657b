/**
 * The schedule arbitrary: the scheduler's choice sequence as an array of small
 * integers, each read modulo the number of enabled steps (ChoiceListStrategy); past its end the
 * run takes the first enabled step. fast-check shrinks this array, which is what shrinks an
 * interleaving: shorter lists and smaller numbers are runs closer to the default order.
 */
import fc from 'fast-check';

/** Choice lists of up to `maxLength` choices, each in 0..`max`. */
export function scheduleArbitrary(maxLength = 300, max = 15): fc.Arbitrary<number[]> {
  return fc.array(fc.nat({ max }), { maxLength });
}
