import { Branding } from '../config';

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const DENY_COLOUR = '#b3261e';
const TEXT_COLOUR = '#1d1d1f';
const MUTED_COLOUR = '#5f6368';

export type EmailAction = {
  label: string;
  url: string;
  style: 'approve' | 'deny' | 'link';
};

/**
 * What an email says, once: rendered both as HTML and as plain text so the
 * two parts never disagree. All strings are plain text.
 */
export type EmailContent = {
  greeting?: string;
  heading: string;
  paragraphs: string[];
  /** Label / value rows; rows without a value are left out. */
  details?: Array<[string, string | undefined]>;
  actions?: EmailAction[];
  /** Small print under the actions. */
  notes?: string[];
};

function presentDetails(details: EmailContent['details']) {
  return (details ?? []).filter((d): d is [string, string] =>
    Boolean(d[1]?.trim()),
  );
}

function buttonHtml(action: EmailAction, branding: Branding): string {
  if (action.style === 'link') {
    return `<a href="${escapeHtml(action.url)}" style="color:${
      branding.accentColor
    };font-size:14px;">${escapeHtml(action.label)}</a>`;
  }
  const colour =
    action.style === 'approve' ? branding.accentColor : DENY_COLOUR;
  return `<a href="${escapeHtml(
    action.url,
  )}" style="display:inline-block;padding:10px 22px;margin:0 8px 8px 0;border-radius:4px;background:${colour};color:#ffffff;font-weight:bold;font-size:15px;text-decoration:none;">${escapeHtml(
    action.label,
  )}</a>`;
}

/** The email as HTML (table layout and inline styles, for mail clients) and text. */
export function renderEmail(
  branding: Branding,
  content: EmailContent,
): { html: string; text: string } {
  const details = presentDetails(content.details);
  const buttons = (content.actions ?? []).filter(a => a.style !== 'link');
  const links = (content.actions ?? []).filter(a => a.style === 'link');

  const logo = branding.logoUrl
    ? `<img src="${escapeHtml(
        branding.logoUrl,
      )}" alt="" height="28" style="height:28px;vertical-align:middle;margin-right:10px;border:0;">`
    : '';
  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(
    content.heading,
  )}</title></head>
<body style="margin:0;padding:0;background:#f4f5f7;font-family:Helvetica,Arial,sans-serif;color:${TEXT_COLOUR};">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f5f7;padding:24px 0;"><tr><td align="center">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;width:100%;background:#ffffff;border-radius:6px;overflow:hidden;">
<tr><td style="background:${
    branding.accentColor
  };padding:14px 24px;color:#ffffff;font-size:17px;font-weight:bold;">${logo}${escapeHtml(
    branding.title,
  )}</td></tr>
<tr><td style="padding:24px;">
${
  content.greeting
    ? `<p style="margin:0 0 12px;font-size:15px;">${escapeHtml(
        content.greeting,
      )}</p>`
    : ''
}
<h1 style="margin:0 0 16px;font-size:20px;">${escapeHtml(content.heading)}</h1>
${content.paragraphs
  .map(
    p =>
      `<p style="margin:0 0 12px;font-size:15px;line-height:1.45;">${escapeHtml(
        p,
      )}</p>`,
  )
  .join('\n')}
${
  details.length
    ? `<table role="presentation" cellpadding="0" cellspacing="0" style="margin:8px 0 16px;font-size:14px;border-collapse:collapse;">${details
        .map(
          ([label, value]) =>
            `<tr><td style="padding:4px 16px 4px 0;color:${MUTED_COLOUR};vertical-align:top;white-space:nowrap;">${escapeHtml(
              label,
            )}</td><td style="padding:4px 0;white-space:pre-wrap;">${escapeHtml(
              value,
            )}</td></tr>`,
        )
        .join('')}</table>`
    : ''
}
${
  buttons.length
    ? `<p style="margin:16px 0 8px;">${buttons
        .map(b => buttonHtml(b, branding))
        .join('')}</p>`
    : ''
}
${links
  .map(l => `<p style="margin:8px 0;">${buttonHtml(l, branding)}</p>`)
  .join('\n')}
${(content.notes ?? [])
  .map(
    n =>
      `<p style="margin:12px 0 0;font-size:12px;color:${MUTED_COLOUR};line-height:1.4;">${escapeHtml(
        n,
      )}</p>`,
  )
  .join('\n')}
</td></tr>
<tr><td style="padding:12px 24px;border-top:1px solid #e3e5e8;font-size:12px;color:${MUTED_COLOUR};">Sent by ${escapeHtml(
    branding.title,
  )}. This message was generated automatically.</td></tr>
</table></td></tr></table>
</body></html>`;

  const lines: string[] = [];
  if (content.greeting) lines.push(content.greeting, '');
  lines.push(content.heading, '');
  for (const p of content.paragraphs) lines.push(p, '');
  if (details.length) {
    for (const [label, value] of details) lines.push(`${label}: ${value}`);
    lines.push('');
  }
  for (const action of content.actions ?? [])
    lines.push(`${action.label}: ${action.url}`);
  if (content.actions?.length) lines.push('');
  for (const note of content.notes ?? []) lines.push(note, '');
  lines.push(
    `-- `,
    `Sent by ${branding.title}. This message was generated automatically.`,
  );
  return { html, text: `${lines.join('\n')}\n` };
}

export type PageTone = 'ok' | 'info' | 'problem';

/**
 * A small self-contained HTML page (no scripts, no external resources but
 * the logo) for the approval links. `bodyHtml` must already be escaped.
 */
export function renderPage(
  branding: Branding,
  page: { title: string; tone: PageTone; bodyHtml: string },
): string {
  const toneColour = {
    problem: DENY_COLOUR,
    ok: branding.accentColor,
    info: MUTED_COLOUR,
  }[page.tone];
  const logo = branding.logoUrl
    ? `<img src="${escapeHtml(branding.logoUrl)}" alt="" height="28">`
    : '';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow"><meta name="referrer" content="no-referrer">
<title>${escapeHtml(page.title)} – ${escapeHtml(branding.title)}</title>
<style>
body{margin:0;background:#f4f5f7;font-family:Helvetica,Arial,sans-serif;color:${TEXT_COLOUR};}
header{background:${
    branding.accentColor
  };color:#fff;padding:14px 24px;font-weight:bold;font-size:17px;display:flex;gap:10px;align-items:center;}
main{max-width:560px;margin:24px auto;background:#fff;border-radius:6px;padding:24px;border-top:4px solid ${toneColour};}
h1{font-size:21px;margin:0 0 16px;}
p{line-height:1.45;}
table{border-collapse:collapse;margin:8px 0 16px;font-size:14px;}
td{padding:4px 16px 4px 0;vertical-align:top;white-space:pre-wrap;}
td:first-child{color:${MUTED_COLOUR};white-space:nowrap;}
label{display:block;font-weight:bold;margin:12px 0 6px;}
textarea{width:100%;box-sizing:border-box;min-height:90px;font:inherit;padding:8px;}
button{margin-top:14px;padding:10px 22px;border:0;border-radius:4px;color:#fff;font-size:15px;font-weight:bold;cursor:pointer;}
button.approve{background:${branding.accentColor};}
button.deny{background:${DENY_COLOUR};}
.error{color:${DENY_COLOUR};font-weight:bold;}
.muted{color:${MUTED_COLOUR};font-size:13px;}
a{color:${branding.accentColor};}
</style></head>
<body><header>${logo}<span>${escapeHtml(branding.title)}</span></header>
<main>
<h1>${escapeHtml(page.title)}</h1>
${page.bodyHtml}
</main></body></html>`;
}
