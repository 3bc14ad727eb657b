import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DECLARATION, declarationPath, validatorModule, VALIDATORS } from './gen-validators.ts';
import { PACKAGE_ROOT } from '../package-root.ts';

describe('generated schema validators', () => {
  for (const v of VALIDATORS) {
    it(`${v.module} is the current compilation of ${v.schema} (npm run gen:validators refreshes it)`, () => {
      expect(readFileSync(`${PACKAGE_ROOT}/${v.module}`, 'utf8')).toBe(validatorModule(v));
      expect(readFileSync(`${PACKAGE_ROOT}/${declarationPath(v.module)}`, 'utf8')).toBe(DECLARATION);
    });
  }

  it('a generated validator judges as ajv compiling the schema does, errors and all', async () => {
    const { Ajv2020 } = await import('ajv/dist/2020.js');
    const v = VALIDATORS.find((x) => x.module.startsWith('sim/'))!;
    const compiled = new Ajv2020(v.options).compile(JSON.parse(readFileSync(`${PACKAGE_ROOT}/${v.schema}`, 'utf8')));
    const generated = (await import('../sim/workload-validator.generated.mjs')).default;
    const bad = { name: 'w', sinks: [{ id: 's', sikn: 1 }], calls: [{ id: 'c', op: 'ExecQueryAsyn', sink: 's' }] };
    expect(generated(bad)).toBe(false);
    expect(compiled(bad)).toBe(false);
    expect(generated.errors).toEqual(compiled.errors);
    expect(generated.errors!.length).toBeGreaterThan(1);
  });
});
