/**
 * A customer's email address as Ensuresec keeps it once it is not needed to deliver any more
 * (response / notices, no I/O): its keyed pseudonym, the same for every spelling of its case.
 *
 * @example customerPseudonym('Ann@Example.com', key) // 'pii:email:…', as for 'ann@example.com'
 */
import { isPseudonym, pseudonymise } from '../../core/pseudonymise.js';

export function customerPseudonym(email: string, key: Buffer): string {
  return isPseudonym(email) ? email : pseudonymise(email.trim().toLowerCase(), 'email', key);
}
