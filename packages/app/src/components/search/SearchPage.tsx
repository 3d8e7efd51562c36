import { makeStyles, Theme, Grid, Paper } from '@material-ui/core';
import AppsIcon from '@material-ui/icons/Apps';
import CategoryIcon from '@material-ui/icons/Category';
import { CatalogSearchResultListItem } from '@backstage/plugin-catalog';
import { SearchType } from '@backstage/plugin-search';
import {
  SearchBar,
  SearchPagination,
  SearchResult,
  SearchResultPager,
} from '@backstage/plugin-search-react';
import { Content, Header, Page } from '@backstage/core-components';
import { AppAccessSearchResultListItem } from '@app-access/plugin-app-access';

const useStyles = makeStyles((theme: Theme) => ({
  bar: { padding: theme.spacing(1, 0) },
  filters: { padding: theme.spacing(2), marginTop: theme.spacing(2) },
}));

/**
 * Backstage search (Lunr in the example backend): App Access's apps next
 * to the software catalog, each app with a "Request access" link.
 */
export const SearchResultsPage = () => {
  const classes = useStyles();
  return (
    <Page themeId="home">
      <Header title="Search" />
      <Content>
        <Grid container direction="row">
          <Grid item xs={12}>
            <Paper className={classes.bar}>
              <SearchBar />
            </Paper>
          </Grid>
          <Grid item xs={3}>
            <SearchType.Accordion
              name="Result type"
              defaultValue=""
              types={[
                { value: 'app-access', name: 'Apps', icon: <AppsIcon /> },
                {
                  value: 'software-catalog',
                  name: 'Software catalog',
                  icon: <CategoryIcon />,
                },
              ]}
            />
          </Grid>
          <Grid item xs={9}>
            <SearchPagination />
            <SearchResult>
              <AppAccessSearchResultListItem icon={<AppsIcon />} />
              <CatalogSearchResultListItem icon={<CategoryIcon />} />
            </SearchResult>
            <SearchResultPager />
          </Grid>
        </Grid>
      </Content>
    </Page>
  );
};
