/**
 * One readable line. The element is always rendered, so screen readers announce
 * each new message in the live region; it takes no space while empty.
 */
export function ErrorMessage({ message }: { readonly message: string | undefined }) {
  return (
    <p role="alert" className="error">
      {message}
    </p>
  );
}
