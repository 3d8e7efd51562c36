import { Branding } from '../config';
import { escapeHtml, PageTone, renderPage } from './BrandedLayout';

/** A page the email links' routes answer with. */
export type Page = { status: number; html: string };

/**
 * What the pages behind the email links share (approvals' Approve / Deny,
 * holders' Keep it / Give it back): the branded page and the line that
 * leads back to the portal.
 */
export abstract class BrandedPages {
  constructor(
    protected readonly branding: Branding,
    /** Where the reader finds the matter in the portal. */
    protected readonly portalUrl: string,
  ) {}

  protected page(
    status: number,
    title: string,
    tone: PageTone,
    bodyHtml: string,
  ): Page {
    return {
      status,
      html: renderPage(this.branding, { title, tone, bodyHtml }),
    };
  }

  /** The words of the link back to the portal. */
  protected abstract readonly portalLinkText: string;

  protected portalLink(text = this.portalLinkText) {
    return `<p class="muted"><a href="${escapeHtml(
      this.portalUrl,
    )}">${escapeHtml(text)}</a></p>`;
  }
}
