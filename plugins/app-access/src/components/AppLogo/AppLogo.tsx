import { Avatar, makeStyles } from '@material-ui/core';
import { App } from '@app-access/plugin-app-access-common';
import { appInitials, colourFor } from '../../lib/apps';

const useStyles = makeStyles({
  small: { width: 32, height: 32, fontSize: 14 },
  medium: { width: 40, height: 40, fontSize: 16 },
  large: { width: 64, height: 64, fontSize: 24 },
});

export type AppLogoProps = {
  app: Pick<App, 'id' | 'name' | 'logo'>;
  size?: 'small' | 'medium' | 'large';
};

/** The app's logo image, or its initials on its colour. */
export const AppLogo = ({ app, size = 'medium' }: AppLogoProps) => {
  const classes = useStyles();
  const { logo } = app;
  if (logo?.url) {
    return (
      <Avatar
        className={classes[size]}
        src={logo.url}
        alt={`${app.name} logo`}
        variant="rounded"
      />
    );
  }
  return (
    <Avatar
      className={classes[size]}
      style={{
        backgroundColor: logo?.color ?? colourFor(app.id || app.name),
        color: '#fff',
      }}
      variant="rounded"
      aria-hidden
    >
      {logo?.initials ?? appInitials(app.name)}
    </Avatar>
  );
};
