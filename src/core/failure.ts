/** A step failed for a reason the operator should read as is (no stack trace). */
export class StepFailure extends Error {
  constructor(
    message: string,
    readonly result?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'StepFailure';
  }
}
