/** Small pieces of markup the pages share. */

/** A failed request's message, announced to screen readers; nothing when there is none. */
export function ErrorLine({ error }: { error: string }) {
  if (!error) return null;
  return (
    <p role="alert" className="error">
      {error}
    </p>
  );
}
