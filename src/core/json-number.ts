// A JSON number too large for a double (1e400), kept as the text the file gave.

/**
 * What a definition holds in place of a number that JSON.parse would turn into Infinity (and a message
 * would print as null). It is no number, so every check refuses it, and it prints as written.
 */
export class OutOfRangeNumber {
  constructor(readonly literal: string) {}

  toString(): string {
    return this.literal;
  }

  /** In a JSON report (validate --json), the text as written. */
  toJSON(): string {
    return this.literal;
  }
}
