import { ReactNode } from 'react';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import ListItemIcon from '@material-ui/core/ListItemIcon';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import { Link } from '@backstage/core-components';
import {
  IndexableDocument,
  ResultHighlight,
} from '@backstage/plugin-search-common';
import { HighlightedSearchResultText } from '@backstage/plugin-search-react';

/** The document type the App Access search collator indexes apps under. */
export const APP_ACCESS_SEARCH_TYPE = 'app-access';

/** An app as the App Access search collator indexes it. */
type AppAccessSearchDocument = IndexableDocument & {
  appId?: string;
  vendor?: string;
  category?: string;
  tiers?: string[];
};

/**
 * Props for {@link AppAccessSearchResultListItem}.
 *
 * @public
 */
export type AppAccessSearchResultListItemProps = {
  icon?: ReactNode;
  result?: IndexableDocument;
  highlight?: ResultHighlight;
  rank?: number;
  lineClamp?: number;
};

function highlighted(
  value: string,
  field: string,
  highlight: ResultHighlight | undefined,
): ReactNode {
  const text = highlight?.fields[field];
  return text ? (
    <HighlightedSearchResultText
      text={text}
      preTag={highlight.preTag}
      postTag={highlight.postTag}
    />
  ) : (
    value
  );
}

/**
 * A search result of type `app-access`: the app's name linking to its page
 * in App Access, its vendor, category and tiers, and a "Request access" link.
 *
 * @public
 */
export function AppAccessSearchResultListItem(
  props: AppAccessSearchResultListItemProps,
) {
  const result = props.result as AppAccessSearchDocument | undefined;
  if (!result) return null;
  const { highlight } = props;
  const subtitle = [result.vendor, result.category].filter(Boolean).join(' · ');
  return (
    <Box display="flex" alignItems="flex-start" width="100%">
      {props.icon && <ListItemIcon>{props.icon as any}</ListItemIcon>}
      <Box flexGrow={1}>
        <ListItemText
          primaryTypographyProps={{ variant: 'h6' }}
          primary={
            <Link noTrack to={result.location}>
              {highlighted(result.title, 'title', highlight)}
            </Link>
          }
          secondary={
            <>
              {subtitle && <span>{subtitle}. </span>}
              <span
                style={{
                  display: '-webkit-box',
                  WebkitBoxOrient: 'vertical',
                  WebkitLineClamp: props.lineClamp ?? 3,
                  overflow: 'hidden',
                }}
              >
                {highlighted(result.text, 'text', highlight)}
              </span>
            </>
          }
        />
        <Box display="flex" flexWrap="wrap" alignItems="center">
          {(result.tiers ?? []).map(tier => (
            <Chip key={tier} label={tier} size="small" variant="outlined" />
          ))}
          <Box ml={1}>
            <Link
              noTrack
              to={result.location}
              aria-label={`Request access to ${result.title}`}
            >
              <Typography variant="button" color="primary">
                Request access
              </Typography>
            </Link>
          </Box>
        </Box>
      </Box>
    </Box>
  );
}
