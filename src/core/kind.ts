// Declaring a step kind once. The parameters' type is inferred from the kind's zod schema, so a
// kind reads
//
//   export const stopInstances = defineKind({
//     name: 'aws.ec2.stopInstances',
//     effect: 'write',
//     params: z.object({ instance_id: instanceId }).strict(),
//     describe: (p) => ({ summary: `ec2:StopInstances ${p.instance_id}`, resources: [p.instance_id] }),
//     async run(p, ctx) { … },
//   });
//
// with no `StepKind<z.infer<typeof Params>>` annotation beside a separate schema constant. The
// intent a kind describes carries the validated parameters (what every kind journals), so
// `describe` leaves `params` out unless it has something else to say.
import type { Intent, StepKind } from './step.js';

/** A step kind as it is declared: the StepKind contract, `P` being what its `params` schema outputs. */
export interface KindDefinition<P> extends Omit<StepKind<P>, 'describe'> {
  /** The intent; `params` defaults to the validated parameters. */
  describe(params: P): Omit<Intent, 'params'> & { params?: unknown };
}

export function defineKind<P>(def: KindDefinition<P>): StepKind<P> {
  return {
    ...def,
    describe(params) {
      const intent = def.describe(params);
      return { ...intent, params: 'params' in intent ? intent.params : params };
    },
  };
}
