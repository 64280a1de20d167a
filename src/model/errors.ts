// Errors the user can fix (usage, unreadable input, invalid rule): the CLI prints one line and exits 2.
// Anything else that is thrown is a bug and is reported as an internal error.

export class UserError extends Error {
  constructor(
    message: string,
    readonly path?: string,
    readonly line?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UserError';
  }

  /** `path:line: message`, the one line the CLI prints */
  describe(): string {
    const where = this.path === undefined ? '' : this.line === undefined ? `${this.path}: ` : `${this.path}:${this.line}: `;
    return where + this.message;
  }
}

export class UsageError extends UserError {
  override name = 'UsageError';
}

export class InputError extends UserError {
  override name = 'InputError';
}

export class RuleError extends UserError {
  override name = 'RuleError';
}
