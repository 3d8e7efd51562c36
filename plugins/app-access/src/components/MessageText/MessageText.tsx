import { useEntityDisplayName } from '../EntityName';

// A person or group ref inside a sentence; a trailing full stop is not part of it.
const REF = /\b(?:user|group):(?:[\w.-]+\/)?[\w-]+(?:\.[\w-]+)*/gi;

const NameOf = ({ entityRef }: { entityRef: string }) => (
  <>{useEntityDisplayName(entityRef)}</>
);

/**
 * A message from the backend for an employee to read: the people and groups
 * it names by their catalog names, never as "user:default/sam.manager".
 */
export const MessageText = ({ text }: { text: string }) => {
  const parts: Array<string | { ref: string }> = [];
  let last = 0;
  for (const match of text.matchAll(REF)) {
    parts.push(text.slice(last, match.index), { ref: match[0] });
    last = (match.index ?? 0) + match[0].length;
  }
  parts.push(text.slice(last));
  return (
    <>
      {parts.map((part, i) =>
        typeof part === 'string' ? (
          part
        ) : (
          <NameOf key={i} entityRef={part.ref} />
        ),
      )}
    </>
  );
};
