// The Probes page: the organization's remote probes and the instance-wide ones (read-only),
// with their status, last sighting, clock skew and monitor count; adding one shows its token
// once with the command that runs it; a new token; deleting (confirmed).
import { html, useRef, useState } from '../lib.js';
import { api } from '../api.js';
import { formatNumber, t } from '../i18n.js';
import { Alert, Async, ConfirmDialog, CopyButton, Field, Modal, Time, errorText, useAction, useLoad } from '../components.js';
import { can } from '../monitoring.js';

const TONE = { up: 'ok', silent: 'bad', waiting: 'neutral' };
const ICON = { ok: '●', bad: '■', neutral: '○' };

function ProbeStatus({ status }) {
  const tone = TONE[status] || 'neutral';
  return html`<span class=${'pill pill-' + tone} data-status=${status}>
    <span aria-hidden="true" class="pill-icon">${ICON[tone]}</span>${t('probes.status.' + status)}</span>`;
}

/** "1.2 s ahead", "350 ms behind"; a blank for a probe never measured. */
function skewText(ms) {
  if (ms === null || ms === undefined) return '—';
  const abs = Math.abs(ms);
  const value = abs >= 1000 ? `${formatNumber(abs / 1000, 1)} s` : `${formatNumber(abs)} ms`;
  return t(ms >= 0 ? 'probes.skewAhead' : 'probes.skewBehind', { value });
}

/** `region=eu-west, tier=gold` as an object; the server checks each label. */
export function parseLabels(text) {
  const labels = {};
  for (const part of text.split(/[\s,]+/).filter(Boolean)) {
    const at = part.indexOf('=');
    labels[at < 0 ? part : part.slice(0, at)] = at < 0 ? '' : part.slice(at + 1);
  }
  return labels;
}

export function ProbesPage({ profile }) {
  const list = useLoad(() => api('GET', '/probes'), [], { every: 15000 });
  const writer = can(profile, 'writeProbes');
  const [adding, setAdding] = useState(false);
  const [issued, setIssued] = useState(null);
  const [asking, setAsking] = useState(null);
  const done = (answer) => { setIssued(answer); list.reload(); };
  return html`
    <main class="wide probes-page">
      <div class="page-head">
        <h1>${t('probes.title')}</h1>
        ${writer && html`<button type="button" data-shortcut="new" onClick=${() => setAdding(true)}>${t('probes.add')}</button>`}
      </div>
      <p class="muted">${t('probes.intro')}</p>
      ${issued && html`<${Issued} answer=${issued} onDone=${() => setIssued(null)} />`}
      ${adding && html`<${AddDialog} onClose=${(answer) => { setAdding(false); if (answer) done(answer); }} />`}
      ${asking && html`<${Confirm} ask=${asking} onClose=${(answer) => { setAsking(null); if (answer?.token) setIssued(answer); list.reload(); }} />`}
      <section class="card">
        <${Async} state=${list} retry=${list.reload}>
          ${(data) => data.probes.length
            ? html`<${ProbeTable} probes=${data.probes} writer=${writer} onAsk=${setAsking} />`
            : html`<p class="muted empty-line">${t('probes.none')}</p>`}
        <//>
      </section>
    </main>`;
}

function ProbeTable({ probes, writer, onAsk }) {
  const shared = probes.some((p) => p.organizationId === null);
  return html`
    <table class="table cards-on-phone">
      <thead><tr>
        <th scope="col">${t('probes.col.name')}</th>
        <th scope="col">${t('probes.col.labels')}</th>
        <th scope="col">${t('probes.col.status')}</th>
        <th scope="col">${t('probes.col.lastSeen')}</th>
        <th scope="col">${t('probes.col.skew')}</th>
        <th scope="col">${t('probes.col.monitors')}</th>
        <th scope="col"><span class="visually-hidden">${t('probes.delete')}</span></th>
      </tr></thead>
      <tbody>${probes.map((p) => html`
        <tr key=${p.id} data-testid="probe-row">
          <td data-label=${t('probes.col.name')} class="main-cell"><strong>${p.name}</strong>
            ${p.organizationId === null && html` <span class="tag">${t('probes.instanceWide')}</span>`}</td>
          <td data-label=${t('probes.col.labels')}>${Object.entries(p.labels).map(([k, v]) => html`<span class="tag" key=${k}>${k}=${v}</span> `)}</td>
          <td data-label=${t('probes.col.status')}><${ProbeStatus} status=${p.status} /></td>
          <td data-label=${t('probes.col.lastSeen')}>${p.lastSeenAt ? html`<${Time} iso=${p.lastSeenAt} />` : t('probes.never')}</td>
          <td data-label=${t('probes.col.skew')}>${skewText(p.clockSkewMs)}</td>
          <td data-label=${t('probes.col.monitors')}>${formatNumber(p.monitors)}</td>
          <td class="row-actions">${writer && p.organizationId !== null && html`
            <button type="button" class="secondary small" aria-label=${t('probes.newTokenLabel', { name: p.name })}
              onClick=${() => onAsk({ what: 'token', probe: p })}>${t('probes.newToken')}</button>
            <button type="button" class="danger small" aria-label=${t('probes.deleteLabel', { name: p.name })}
              onClick=${() => onAsk({ what: 'delete', probe: p })}>${t('probes.delete')}</button>`}</td>
        </tr>`)}</tbody>
    </table>
    ${shared && html`<p class="muted small">${t('probes.instanceWideHint')}</p>`}`;
}

function AddDialog({ onClose }) {
  const [name, setName] = useState('');
  const [labels, setLabels] = useState('');
  const [state, setState] = useState({ busy: false, error: null });
  const submit = async (e) => {
    e.preventDefault();
    setState({ busy: true, error: null });
    try {
      onClose(await api('POST', '/probes', { name, labels: parseLabels(labels) }));
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  return html`<${Modal} title=${t('probes.form.title')} onClose=${() => onClose(null)}>
    <form onSubmit=${submit}>
      <${Field} label=${t('probes.form.name')} value=${name} onInput=${(e) => setName(e.currentTarget.value)}
        required maxlength="100" hint=${t('probes.form.nameHint')} autofocus />
      <${Field} label=${t('probes.form.labels')} value=${labels} onInput=${(e) => setLabels(e.currentTarget.value)}
        hint=${t('probes.form.labelsHint')} placeholder="region=eu-west" autocapitalize="off" spellcheck="false" />
      ${state.error && html`<${Alert}>${errorText(state.error)}<//>`}
      <div class="actions">
        <button type="button" class="secondary" onClick=${() => onClose(null)}>${t('probes.form.cancel')}</button>
        <button type="submit" disabled=${state.busy || !name.trim()}>${t('probes.form.submit')}</button>
      </div>
    </form>
  <//>`;
}

/** The token, once, with the command that runs the probe against this server. */
function Issued({ answer, onDone }) {
  const command = `DUTYDUCK_PROBE_TOKEN=${answer.token} dutyduck probe --server ${location.origin}`;
  return html`
    <section class="card issued probe-issued" role="region" aria-labelledby="probe-issued-title">
      <h2 id="probe-issued-title">${t('probes.issued.title', { name: answer.probe.name })}</h2>
      <${Alert} kind="warning">${t('probes.issued.once')}<//>
      <dl class="secret">
        <dt>${t('probes.issued.token')}</dt>
        <dd><code data-testid="probe-token" data-copy=${answer.token}>${answer.token}</code>
          <${CopyButton} text=${answer.token} label=${t('tokens.copy') + ' ' + t('probes.issued.token')} /></dd>
      </dl>
      <p>${t('probes.issued.run')}</p>
      <pre class="example"><code data-testid="probe-command" data-copy=${command}>${command}</code></pre>
      <div class="actions">
        <${CopyButton} text=${command} label=${t('probes.issued.copyCommand')} />
        <button type="button" onClick=${onDone}>${t('probes.issued.done')}</button>
      </div>
    </section>`;
}

/** Confirms a new token or a deletion; closes with the new token's answer, or true. */
function Confirm({ ask, onClose }) {
  const result = useRef(null);
  const action = useAction(() => onClose(result.current));
  const { probe, what } = ask;
  const path = `/probes/${encodeURIComponent(probe.id)}`;
  const run = () => action.act(async () => {
    result.current = what === 'token' ? await api('POST', `${path}/token`) : (await api('DELETE', path), true);
  });
  return html`<${ConfirmDialog} title=${t(`probes.${what}Title`, { name: probe.name })} text=${t(`probes.${what}Text`)}
    confirmLabel=${t(`probes.${what}Confirm`)} onConfirm=${run} onCancel=${() => onClose(null)}
    busy=${action.busy} error=${action.error} />`;
}
