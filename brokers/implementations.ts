/**
 * Every implementation `--impl` can name, registered: the reference broker and the stdio and module
 * forms (in the registry itself), the Wine model, and the mutant zoo. Import this, not the registry,
 * wherever an implementation is resolved by name.
 */
import './wine-model.ts';
import './mutants/index.ts';

export { resolveImpl, implNames, registerImpl, registerImplForm, ImplError, type ImplOptions } from './registry.ts';
