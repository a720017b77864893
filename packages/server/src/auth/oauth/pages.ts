import { OAUTH_PATHS } from './discovery.js';

/** The server-rendered pages of the authorize flow: sign-in, second factor, patient picker, approval. */

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const CSS = `
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.5;color:#1c2430;background:#f3f5f8}
main{max-width:28rem;margin:2.5rem auto;padding:1.75rem;background:#fff;border-radius:.75rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}
@media (max-width:32rem){main{margin:0;border-radius:0;min-height:100vh}}
h1{font-size:1.35rem;margin:0 0 .25rem}
p.lead{margin:0 0 1.25rem;color:#4a5565}
label{display:block;font-weight:600;margin:1rem 0 .3rem}
input[type=email],input[type=password],input[type=text],input[type=search]{width:100%;padding:.65rem .75rem;font:inherit;border:1px solid #9aa5b4;border-radius:.4rem}
input:focus-visible,button:focus-visible,a:focus-visible{outline:3px solid #2563eb;outline-offset:2px}
button{font:inherit;font-weight:600;padding:.65rem 1.1rem;border-radius:.4rem;border:1px solid #1d4ed8;background:#1d4ed8;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#1d4ed8}
button.link{background:none;border:none;color:#1d4ed8;padding:0;text-decoration:underline;font-weight:400}
.actions{display:flex;gap:.75rem;flex-wrap:wrap;margin-top:1.5rem}
.error{background:#fdecec;border:1px solid #e5a3a3;color:#8a1c1c;padding:.6rem .8rem;border-radius:.4rem;margin:0 0 1rem}
ul.choices{list-style:none;padding:0;margin:1rem 0}
ul.choices li{border:1px solid #d5dbe3;border-radius:.4rem;margin:.5rem 0}
ul.choices label{display:flex;gap:.6rem;align-items:flex-start;font-weight:400;margin:0;padding:.6rem .75rem;cursor:pointer}
ul.choices input{margin-top:.3rem}
.muted{color:#5b6676;font-size:.9rem}
.who{display:flex;justify-content:space-between;align-items:baseline;gap:1rem;border-top:1px solid #e3e7ed;margin-top:1.5rem;padding-top:.75rem}
`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Salus</title><style>${CSS}</style></head>
<body><main>${body}</main></body></html>`;
}

/** The fields every form of one authorization request carries: the request and its CSRF token. */
export interface FormContext {
  tx: string;
  csrf: string;
  clientName: string;
}

function hidden(ctx: FormContext): string {
  return `<input type="hidden" name="tx" value="${escapeHtml(ctx.tx)}"><input type="hidden" name="csrf" value="${escapeHtml(ctx.csrf)}">`;
}

function errorBox(error: string | undefined): string {
  return error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : '';
}

function whoBar(ctx: FormContext, userName: string): string {
  return `<div class="who"><span class="muted">Signed in as ${escapeHtml(userName)}</span>
<form method="post" action="${OAUTH_PATHS.authorize}/switch">${hidden(ctx)}<button class="link" type="submit">Not you? Sign out</button></form></div>`;
}

export function signInPage(ctx: FormContext, options: { error?: string; email?: string } = {}): string {
  return page(
    'Sign in',
    `<h1>Sign in to Salus</h1><p class="lead">${escapeHtml(ctx.clientName)} wants to connect to your Salus account.</p>
${errorBox(options.error)}
<form method="post" action="${OAUTH_PATHS.authorize}/sign-in">${hidden(ctx)}
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required value="${escapeHtml(options.email ?? '')}" autofocus>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<div class="actions"><button type="submit">Sign in</button></div></form>`,
  );
}

export function secondFactorPage(ctx: FormContext, options: { error?: string } = {}): string {
  return page(
    'Two-step sign-in',
    `<h1>Two-step sign-in</h1><p class="lead">Enter the 6-digit code from your authenticator app, or one of your recovery codes.</p>
${errorBox(options.error)}
<form method="post" action="${OAUTH_PATHS.authorize}/mfa">${hidden(ctx)}
<label for="code">Code</label><input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required autofocus>
<div class="actions"><button type="submit">Continue</button></div></form>`,
  );
}

export interface PatientChoice {
  id: string;
  name: string;
  detail?: string;
}

export function patientPickerPage(
  ctx: FormContext,
  options: { userName: string; patients: PatientChoice[]; search?: { query: string }; error?: string },
): string {
  const list = options.patients.length
    ? `<form method="post" action="${OAUTH_PATHS.authorize}/patient">${hidden(ctx)}
<fieldset style="border:0;padding:0;margin:0"><legend class="muted">Choose one</legend><ul class="choices">
${options.patients
  .map(
    (p, i) =>
      `<li><label><input type="radio" name="patient" value="${escapeHtml(p.id)}" required${i === 0 ? ' checked' : ''}><span>${escapeHtml(p.name)}${
        p.detail ? `<br><span class="muted">${escapeHtml(p.detail)}</span>` : ''
      }</span></label></li>`,
  )
  .join('\n')}</ul></fieldset>
<div class="actions"><button type="submit">Continue</button></div></form>`
    : `<p class="muted">${options.search?.query ? 'No patient matches that name.' : options.search ? 'Search for a patient by name.' : 'There is no patient record you can share.'}</p>`;
  const search = options.search
    ? `<form method="get" action="${OAUTH_PATHS.authorize}/continue" role="search"><input type="hidden" name="tx" value="${escapeHtml(ctx.tx)}">
<label for="q">Patient name</label><input id="q" name="q" type="search" value="${escapeHtml(options.search.query)}" autofocus>
<div class="actions"><button class="secondary" type="submit">Search</button></div></form>`
    : '';
  return page(
    'Choose a patient',
    `<h1>Whose record?</h1><p class="lead">Choose the patient whose record ${escapeHtml(ctx.clientName)} will work with.</p>
${errorBox(options.error)}${search}${list}
<form method="post" action="${OAUTH_PATHS.authorize}/decide">${hidden(ctx)}<div class="actions"><button class="secondary" name="decision" value="deny" type="submit">Cancel</button></div></form>
${whoBar(ctx, options.userName)}`,
  );
}

export interface ScopeItem {
  scope: string;
  text: string;
  /** Shown with a checkbox the person may clear; the others come with the sign-in itself. */
  optional: boolean;
}

export function approvalPage(ctx: FormContext, options: { userName: string; patientName?: string; items: ScopeItem[] }): string {
  const items = options.items
    .map((s) =>
      s.optional
        ? `<li><label><input type="checkbox" name="scope" value="${escapeHtml(s.scope)}" checked><span>${escapeHtml(s.text)}</span></label></li>`
        : `<li><label><input type="checkbox" checked disabled aria-describedby="fixed"><span>${escapeHtml(s.text)}</span></label></li>`,
    )
    .join('\n');
  return page(
    'Allow access',
    `<h1>Allow ${escapeHtml(ctx.clientName)}?</h1>
<p class="lead">${escapeHtml(ctx.clientName)} is asking to${options.patientName ? ` work with the record of <strong>${escapeHtml(options.patientName)}</strong> and to` : ''}:</p>
<form method="post" action="${OAUTH_PATHS.authorize}/decide">${hidden(ctx)}
<ul class="choices">${items}</ul>
<p class="muted" id="fixed">Greyed-out items come with connecting the app. Clear any other item to leave it out. You can withdraw access at any time.</p>
<div class="actions"><button type="submit" name="decision" value="approve">Allow</button><button class="secondary" type="submit" name="decision" value="deny">Deny</button></div></form>
${whoBar(ctx, options.userName)}`,
  );
}

export function messagePage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>`);
}
