import { useState } from 'react';
import { Link, makeStyles, Typography } from '@material-ui/core';

const useStyles = makeStyles({
  text: {
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
  },
  // Many short lines are as tall as one long text: clamp those too.
  clamped: {
    display: '-webkit-box',
    WebkitBoxOrient: 'vertical',
    overflow: 'hidden',
  },
  toggle: {
    verticalAlign: 'baseline',
  },
});

export type ClampedTextProps = {
  text: string;
  /** Lines shown before "more". */
  lines?: number;
  /** Characters shown before "more". */
  maxChars?: number;
  className?: string;
};

/** The text up to `max` characters, cut between words. */
function shorten(text: string, max: number): string {
  const cut = text.slice(0, max);
  const space = cut.search(/\s\S*$/);
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/**
 * Free text (a justification, a comment) kept to a few lines, with a
 * "more"/"less" toggle: one long text must not make its row or dialog
 * taller than the screen and push everything else out of sight.
 */
export const ClampedText = ({
  text,
  lines = 3,
  maxChars = 240,
  className,
}: ClampedTextProps) => {
  const classes = useStyles();
  const [expanded, setExpanded] = useState(false);
  const long = text.length > maxChars || text.split('\n').length > lines;
  const clamped = long && !expanded;
  return (
    <Typography variant="body2" component="div" className={className}>
      <span
        className={`${classes.text} ${clamped ? classes.clamped : ''}`}
        style={clamped ? { WebkitLineClamp: lines } : undefined}
      >
        {clamped && text.length > maxChars ? shorten(text, maxChars) : text}
      </span>
      {long && (
        <>
          {' '}
          <Link
            component="button"
            variant="body2"
            className={classes.toggle}
            type="button"
            aria-expanded={expanded}
            onClick={() => setExpanded(e => !e)}
          >
            {expanded ? 'less' : 'more'}
          </Link>
        </>
      )}
    </Typography>
  );
};
