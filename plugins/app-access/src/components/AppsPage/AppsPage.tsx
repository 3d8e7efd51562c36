import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  Content,
  ContentHeader,
  EmptyState,
  Header,
  Page,
  Progress,
  ResponseErrorPanel,
  SupportButton,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  Avatar,
  Card,
  CardContent,
  CardHeader,
  Chip,
  Grid,
  Typography,
} from '@material-ui/core';
import { appAccessApiRef } from '../../api';

/** The catalog of apps employees can request. */
export const AppsPage = () => {
  const api = useApi(appAccessApiRef);
  const apps = useAsyncRetry(() => api.listApps({ limit: 200 }), [api]);

  return (
    <Page themeId="tool">
      <Header
        title="Apps"
        subtitle="Find the tools your company uses and request access"
      />
      <Content>
        <ContentHeader title="App catalog">
          <SupportButton>
            Browse the company's apps and request a license tier.
          </SupportButton>
        </ContentHeader>
        {apps.loading && <Progress />}
        {apps.error && <ResponseErrorPanel error={apps.error} />}
        {apps.value && apps.value.items.length === 0 && (
          <EmptyState
            missing="data"
            title="No apps in the catalog yet"
            description="An admin adds apps to the catalog from the App Access settings."
          />
        )}
        {apps.value && apps.value.items.length > 0 && (
          <Grid container spacing={2}>
            {apps.value.items.map(app => (
              <Grid item xs={12} sm={6} md={4} key={app.id}>
                <Card>
                  <CardHeader
                    avatar={
                      <Avatar style={{ background: app.logo?.color }}>
                        {app.logo?.initials ?? app.name.slice(0, 2)}
                      </Avatar>
                    }
                    title={app.name}
                    subheader={app.vendor}
                  />
                  <CardContent>
                    <Chip size="small" label={app.category} />
                    <Typography variant="body2" color="textSecondary">
                      {app.description}
                    </Typography>
                  </CardContent>
                </Card>
              </Grid>
            ))}
          </Grid>
        )}
      </Content>
    </Page>
  );
};
