import {
  ChangeEvent,
  lazy,
  memo,
  Suspense,
  useCallback,
  useDeferredValue,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { useSearchParams } from 'react-router-dom';
import useLocalStorage from 'react-use/esm/useLocalStorage';
import {
  Content,
  ContentHeader,
  EmptyState,
  Progress,
  ResponseErrorPanel,
  SupportButton,
} from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import {
  Box,
  Button,
  Grid,
  IconButton,
  InputAdornment,
  Link as MuiLink,
  makeStyles,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert, ToggleButton, ToggleButtonGroup } from '@material-ui/lab';
import SearchIcon from '@material-ui/icons/Search';
import ClearIcon from '@material-ui/icons/Clear';
import ViewModuleIcon from '@material-ui/icons/ViewModule';
import ViewListIcon from '@material-ui/icons/ViewList';
import AddIcon from '@material-ui/icons/Add';
import { CatalogApp } from '@app-access/plugin-app-access-common';
import type { AppSort } from '../../api/AppAccessApi';
import { useCatalogApps } from '../../hooks/useAllApps';
import { useRecommendations } from '../../hooks/useRecommendations';
import { appCategories, filterApps } from '../../lib/apps';
import { getErrorMessage } from '../../lib/errors';
import { APP_SORTS, isAppSort, sortApps } from '../../lib/peers';
import { appRouteRef } from '../../routes';
import { AppCard } from '../AppCard';
import { IntakeDialog } from '../IntakeDialog';
import { CategoryRanking, RecommendationsRow } from '../PeerUsage';

/**
 * Cards rendered at first and added per "Show more"/scroll: a little more
 * than a large screen shows (six rows of four). Every keystroke updates the
 * rendered cards, so their number is what a keystroke costs.
 */
export const CARDS_PER_BATCH = 24;

export const VIEW_STORAGE_KEY = 'app-access:apps-view';

export const SORT_STORAGE_KEY = 'app-access:apps-sort';

/** How long typing pauses before the search is written to the URL. */
export const SEARCH_DEBOUNCE_MS = 150;

type View = 'cards' | 'table';

const useStyles = makeStyles(theme => ({
  toolbar: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(2),
    marginBottom: theme.spacing(2),
  },
  search: {
    flex: '1 1 280px',
  },
  category: {
    minWidth: 200,
  },
  sort: {
    minWidth: 200,
  },
  count: {
    marginBottom: theme.spacing(1),
  },
  more: {
    display: 'flex',
    justifyContent: 'center',
    marginTop: theme.spacing(2),
  },
}));

/**
 * Adds a batch when the sentinel scrolls into view. Browsers without
 * IntersectionObserver (and jsdom) fall back to the "Show more" button.
 */
function useLoadMoreOnScroll(enabled: boolean, onMore: () => void) {
  const ref = useRef<HTMLDivElement>(null);
  const onMoreRef = useRef(onMore);
  onMoreRef.current = onMore;
  useEffect(() => {
    const node = ref.current;
    if (!enabled || !node || typeof IntersectionObserver === 'undefined') {
      return undefined;
    }
    const observer = new IntersectionObserver(
      entries => {
        if (entries.some(entry => entry.isIntersecting)) {
          onMoreRef.current();
        }
      },
      { rootMargin: '400px' },
    );
    observer.observe(node);
    return () => observer.disconnect();
  }, [enabled]);
  return ref;
}

/**
 * The table view, in a chunk of its own: Backstage's Table brings
 * material-table, date-fns, react-beautiful-dnd and the MUI pickers
 * (~120 KB compressed) that the card view, which most visits use, does not
 * need before its first cards.
 */
const AppsTable = lazy(() => import('./AppsTable'));

/**
 * The cards. Memoized with the list it gets, so a keystroke that does not
 * change the results re-renders nothing here; AppCard is memoized too.
 *
 * Keyed by position, not by app: a keystroke that changes the results then
 * gives the existing cards other apps instead of unmounting up to 60 cards
 * and mounting as many new ones. Mounting is what a keystroke cost with a
 * large catalog (a CPU profile of the production build: React creating the
 * MUI trees, their JSS style sheets detached and attached again, the DOM
 * inserts); updating a card's text is a fraction of that. Cards hold no state
 * of their own that could stay with the wrong app (the logo's image load
 * state follows its src).
 */
const AppGrid = memo(({ apps }: { apps: CatalogApp[] }) => {
  const appRoute = useRouteRef(appRouteRef);
  return (
    <Grid container spacing={2}>
      {apps.map((app, slot) => (
        <Grid item xs={12} sm={6} md={4} lg={3} key={slot}>
          <AppCard app={app} to={appRoute({ appId: app.id })} />
        </Grid>
      ))}
    </Grid>
  );
});
AppGrid.displayName = 'AppGrid';

/** The count line: "1021 apps", "27 of 1021 apps match", or so far. */
function countText(
  matched: number,
  loaded: number,
  filtersActive: boolean,
  partial: boolean,
) {
  if (partial) {
    return filtersActive
      ? `${matched} of the first ${loaded} apps match`
      : `First ${loaded} apps`;
  }
  return filtersActive
    ? `${matched} of ${loaded} apps match`
    : `${loaded} apps`;
}

/** The catalog of apps employees can request. */
export const AppsPage = () => {
  const classes = useStyles();
  const { apps, complete, loading, cached, error, retry } = useCatalogApps();

  // In the URL so that coming back from an app page keeps the search.
  const [searchParams, setSearchParams] = useSearchParams();
  // The latest setter: the debounced write must not use a stale URL.
  const setSearchParamsRef = useRef(setSearchParams);
  setSearchParamsRef.current = setSearchParams;
  const updateParams = useCallback(
    (changes: Record<string, string | undefined>) =>
      setSearchParamsRef.current(
        prev => {
          const next = new URLSearchParams(prev);
          for (const [key, value] of Object.entries(changes)) {
            if (value) {
              next.set(key, value);
            } else {
              next.delete(key);
            }
          }
          return next;
        },
        { replace: true },
      ),
    [],
  );
  const urlQ = searchParams.get('q') ?? '';
  const category = searchParams.get('category') ?? '';
  const urlSort = searchParams.get('sort');

  // The search box is local state, so typing stays instant; the URL (which
  // re-renders the whole page, header tabs included) follows after a pause.
  const [input, setInput] = useState(urlQ);
  const writtenQ = useRef(urlQ);
  const writeTimer = useRef<ReturnType<typeof setTimeout>>();
  useEffect(() => {
    // The URL changed by itself (back button, a link): the box follows.
    if (urlQ !== writtenQ.current) {
      writtenQ.current = urlQ;
      setInput(urlQ);
    }
  }, [urlQ]);
  useEffect(() => () => clearTimeout(writeTimer.current), []);
  const writeQ = useCallback(
    (value: string) => {
      clearTimeout(writeTimer.current);
      writtenQ.current = value;
      updateParams({ q: value || undefined });
    },
    [updateParams],
  );
  const onSearchChange = (value: string) => {
    setInput(value);
    clearTimeout(writeTimer.current);
    writeTimer.current = setTimeout(() => writeQ(value), SEARCH_DEBOUNCE_MS);
  };
  // A click on an app within the pause (a card, a table row, a link in the
  // results) writes the search to this page's history entry first, so the
  // way back keeps it; a write still pending when the app page opened went
  // to the app page's URL instead (the catalog stays mounted while the app
  // page's chunk loads) and, in a portal, took the user back to the catalog.
  const flushSearch = () => {
    if (writtenQ.current !== input) writeQ(input);
  };
  const clearSearch = () => {
    setInput('');
    writeQ('');
  };
  // Filtering follows at low priority: keystrokes are never blocked by it.
  const q = useDeferredValue(input);

  const setCategory = (value: string) =>
    updateParams({ category: value || undefined });
  const clearFilters = () => {
    clearTimeout(writeTimer.current);
    writtenQ.current = '';
    setInput('');
    updateParams({ q: undefined, category: undefined });
  };

  const [storedView, setView] = useLocalStorage<View>(
    VIEW_STORAGE_KEY,
    'cards',
  );
  const view: View = storedView === 'table' ? 'table' : 'cards';

  // The URL wins (a shared link); otherwise the choice made last time.
  const [storedSort, setStoredSort] = useLocalStorage<AppSort>(
    SORT_STORAGE_KEY,
    'name',
  );
  let sort: AppSort = 'name';
  if (isAppSort(urlSort)) {
    sort = urlSort;
  } else if (isAppSort(storedSort)) {
    sort = storedSort;
  }
  const setSort = (next: AppSort) => {
    setStoredSort(next);
    updateParams({ sort: next === 'name' ? undefined : next });
  };

  const [visible, setVisible] = useState(CARDS_PER_BATCH);
  useEffect(() => setVisible(CARDS_PER_BATCH), [q, category, sort]);

  const [intakeOpen, setIntakeOpen] = useState(false);
  // The same element every render: a keystroke does not re-render the header.
  const header = useMemo(
    () => (
      <ContentHeader title="App catalog">
        <Button
          variant="outlined"
          color="primary"
          startIcon={<AddIcon />}
          onClick={() => setIntakeOpen(true)}
        >
          Can't find your app?
        </Button>
        <SupportButton>
          Browse the company's apps and request a license tier. Your requests
          and the approvals waiting for you are in the tabs above.
        </SupportButton>
      </ContentHeader>
    ),
    [],
  );

  const recommendations = useRecommendations();

  const categories = useMemo(() => appCategories(apps ?? []), [apps]);
  const filtered = useMemo(
    () => sortApps(filterApps(apps ?? [], { q, category }), sort),
    [apps, q, category, sort],
  );
  const shown = useMemo(() => filtered.slice(0, visible), [filtered, visible]);

  const hasMore = view === 'cards' && filtered.length > visible;
  const showMore = useCallback(() => setVisible(v => v + CARDS_PER_BATCH), []);
  const sentinelRef = useLoadMoreOnScroll(hasMore, showMore);

  const filtersActive = Boolean(q || category);

  // While the first pages are shown and the rest still loads, counts and
  // "no match" say that they are about the apps loaded so far.
  const partial = !complete;

  let body;
  if (!apps && error) {
    body = <ResponseErrorPanel error={error} />;
  } else if (!apps || (partial && apps.length === 0 && loading)) {
    body = <Progress />;
  } else if (apps.length === 0 && !partial) {
    body = (
      <EmptyState
        missing="data"
        title="No apps in the catalog yet"
        description="An admin adds apps to the catalog. Meanwhile you can ask for the app you need."
        action={
          <Button
            variant="contained"
            color="primary"
            onClick={() => setIntakeOpen(true)}
          >
            Request a new app
          </Button>
        }
      />
    );
  } else if (filtered.length === 0 && partial) {
    body = (
      <>
        <Typography variant="body2" color="textSecondary" aria-live="polite">
          {`None of the first ${apps.length} apps match`}
          {loading ? '; loading the rest of the catalog…' : '.'}
        </Typography>
        {loading && <Progress />}
      </>
    );
  } else if (filtered.length === 0) {
    const what = [q && `"${q}"`, category && `in ${category}`]
      .filter(Boolean)
      .join(' ');
    body = (
      <EmptyState
        missing="content"
        title={`No apps match ${what}`}
        description="Try other words, or clear the filters. If the app isn't in the catalog, ask for it."
        action={
          <Box display="flex" style={{ gap: 8 }}>
            <Button variant="outlined" onClick={clearFilters}>
              Clear filters
            </Button>
            <Button
              variant="contained"
              color="primary"
              onClick={() => setIntakeOpen(true)}
            >
              Can't find your app?
            </Button>
          </Box>
        }
      />
    );
  } else if (view === 'table') {
    body = (
      <Suspense fallback={<Progress />}>
        <AppsTable apps={filtered} />
      </Suspense>
    );
  } else {
    body = (
      <>
        <AppGrid apps={shown} />
        {hasMore && (
          <div className={classes.more} ref={sentinelRef}>
            <Button variant="outlined" onClick={showMore}>
              Show more ({filtered.length - visible} more)
            </Button>
          </div>
        )}
      </>
    );
  }

  return (
    <Content>
      {header}

      <div className={classes.toolbar}>
        <TextField
          className={classes.search}
          variant="outlined"
          size="small"
          placeholder="Search apps by name, vendor or description"
          value={input}
          onChange={(e: ChangeEvent<HTMLInputElement>) =>
            onSearchChange(e.target.value)
          }
          inputProps={{ 'aria-label': 'Search apps' }}
          InputProps={{
            startAdornment: (
              <InputAdornment position="start">
                <SearchIcon />
              </InputAdornment>
            ),
            // Always there, hidden while the box is empty: mounting it on
            // the first keystroke made that keystroke build the button's
            // style sheet (a CPU profile: JSS under makeStyles on mount).
            endAdornment: (
              <InputAdornment position="end">
                <IconButton
                  size="small"
                  aria-label="Clear search"
                  onClick={clearSearch}
                  disabled={!input}
                  style={input ? undefined : { visibility: 'hidden' }}
                >
                  <ClearIcon fontSize="small" />
                </IconButton>
              </InputAdornment>
            ),
          }}
        />
        <TextField
          id="app-access-category"
          className={classes.category}
          select
          variant="outlined"
          size="small"
          label="Category"
          value={category}
          onChange={(e: ChangeEvent<HTMLInputElement>) =>
            setCategory(e.target.value)
          }
          SelectProps={{ native: true }}
          InputLabelProps={{ shrink: true }}
        >
          <option value="">All categories</option>
          {categories.map(c => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </TextField>
        <TextField
          id="app-access-sort"
          className={classes.sort}
          select
          variant="outlined"
          size="small"
          label="Sort by"
          value={sort}
          onChange={(e: ChangeEvent<HTMLInputElement>) =>
            isAppSort(e.target.value) && setSort(e.target.value)
          }
          SelectProps={{ native: true }}
          InputLabelProps={{ shrink: true }}
        >
          {APP_SORTS.map(option => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </TextField>
        <ToggleButtonGroup
          size="small"
          exclusive
          value={view}
          onChange={(_e, next: View | null) => next && setView(next)}
          aria-label="Layout"
        >
          <ToggleButton value="cards" aria-label="Card view">
            <ViewModuleIcon />
          </ToggleButton>
          <ToggleButton value="table" aria-label="Table view">
            <ViewListIcon />
          </ToggleButton>
        </ToggleButtonGroup>
      </div>

      {apps && apps.length > 0 && (
        // Hidden, not unmounted, while filtering: the first keystroke then
        // does not unmount its cards (nor the next clear mount them again).
        <div hidden={filtersActive}>
          <RecommendationsRow items={recommendations} />
        </div>
      )}

      {apps && apps.length > 0 && category && !q && (
        <CategoryRanking category={category} apps={apps} />
      )}

      {apps && error && (
        <Box mb={2}>
          <Alert
            severity="warning"
            action={
              <Button color="inherit" size="small" onClick={retry}>
                Try again
              </Button>
            }
          >
            {cached
              ? 'Showing the catalog as it was when you last loaded it: refreshing it failed'
              : `Only the first ${apps.length} apps could be loaded`}
            {`: ${getErrorMessage(error)}`}
          </Alert>
        </Box>
      )}

      {apps && apps.length > 0 && filtered.length > 0 && (
        <Typography
          variant="body2"
          color="textSecondary"
          className={classes.count}
          aria-live="polite"
          aria-busy={partial && loading}
        >
          <span>
            {countText(filtered.length, apps.length, filtersActive, partial)}
            {partial && loading && ' · loading the rest…'}
          </span>
          {filtersActive && (
            <>
              {' · '}
              <MuiLink component="button" onClick={clearFilters}>
                Clear filters
              </MuiLink>
            </>
          )}
        </Typography>
      )}

      <div onClickCapture={flushSearch}>{body}</div>
      {error && !apps && (
        <Box mt={2}>
          <Button variant="outlined" onClick={retry}>
            Try again
          </Button>
        </Box>
      )}

      <IntakeDialog
        open={intakeOpen}
        onClose={() => setIntakeOpen(false)}
        initialName={filtered.length === 0 ? q : undefined}
      />
    </Content>
  );
};
