/**
 * A failed delivery attempt, described safely (response / outbox, no I/O): what the outbox
 * stores as `lastError`, logs and writes to the ledger. SMTP answers often quote the
 * recipient's address, so every email address is masked, and the text is bounded.
 */

const MAX_ERROR_CHARS = 500;
const EMAIL_ADDRESS = /[^\s<>"'(),;:]+@[^\s<>"'(),;:]+/g;

export class DeliveryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeliveryError';
  }
}

/** One line without email addresses, at most 500 characters. */
export function describeDeliveryFailure(error: unknown): string {
  let text: string;
  if (error instanceof Error) {
    const { code, responseCode } = error as Error & { code?: unknown; responseCode?: unknown };
    const tags = [
      typeof code === 'string' ? code : undefined,
      typeof responseCode === 'number' ? String(responseCode) : undefined,
    ]
      .filter((tag): tag is string => tag !== undefined)
      .join(' ');
    text = tags && !error.message.includes(tags) ? `${tags}: ${error.message}` : error.message;
  } else {
    text = String(error);
  }
  const clean = text.replace(EMAIL_ADDRESS, '<address>').replace(/\s+/g, ' ').trim();
  return clean.length > MAX_ERROR_CHARS
    ? `${clean.slice(0, MAX_ERROR_CHARS - 1)}…`
    : clean || 'unknown error';
}
