import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/test-utils';
import { AppAccessSearchResultListItem } from './AppAccessSearchResultListItem';

const figma = {
  title: 'Figma',
  text: 'Collaborative interface design.\nVendor: Figma Inc.',
  location: '/apps/figma',
  appId: 'figma',
  vendor: 'Figma Inc.',
  category: 'Design',
  tiers: ['Viewer', 'Full Seat'],
};

describe('AppAccessSearchResultListItem', () => {
  it('links the app and its request to the app page, with vendor, category and tiers', async () => {
    await renderInTestApp(<AppAccessSearchResultListItem result={figma} />);

    expect(screen.getByRole('link', { name: 'Figma' })).toHaveAttribute(
      'href',
      '/apps/figma',
    );
    expect(
      screen.getByRole('link', { name: 'Request access to Figma' }),
    ).toHaveAttribute('href', '/apps/figma');
    expect(screen.getByText('Figma Inc. · Design.')).toBeInTheDocument();
    expect(screen.getByText('Viewer')).toBeInTheDocument();
    expect(screen.getByText('Full Seat')).toBeInTheDocument();
  });

  it('shows what the search matched, highlighted', async () => {
    await renderInTestApp(
      <AppAccessSearchResultListItem
        result={figma}
        highlight={{
          preTag: '<b>',
          postTag: '</b>',
          fields: { title: '<b>Fig</b>ma' },
        }}
      />,
    );
    expect(screen.getByText('Fig').tagName).toBe('MARK');
  });

  it('renders nothing without a result', async () => {
    const { container } = await renderInTestApp(
      <AppAccessSearchResultListItem />,
    );
    expect(container.textContent).toBe('');
  });
});
