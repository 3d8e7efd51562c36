import { shortId } from '../../lib/format';

/**
 * A long id shortened, with the full value on hover (title); a UUID over
 * three lines in a table cell helps nobody.
 */
export const ShortId = ({ id }: { id: string }) => {
  const short = shortId(id);
  return short === id ? (
    <>{id}</>
  ) : (
    <span title={id} style={{ whiteSpace: 'nowrap' }}>
      {short}
    </span>
  );
};
