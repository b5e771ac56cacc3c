/**
 * Base class of every error the SDK throws on purpose. `code` is stable (safe to switch on); `message` is a
 * plain one-line explanation fit to show a user.
 */
export class ScanPayError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}
