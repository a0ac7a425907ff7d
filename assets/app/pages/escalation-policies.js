// The Escalation policies page: the organization's policies (steps, repeat, default) and a
// form to create or change one, each step picking channels and members, its wait and whether
// it is urgent. Those who may change channels may change policies.
import { html, useState } from '../lib.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { Alert, Async, Field, errorText, useLoad } from '../components.js';
import { can } from '../monitoring.js';

const newStep = () => ({ channels: [], members: [], afterMinutes: 10, urgent: false });

export function EscalationPoliciesPage({ profile }) {
  const org = profile.active_organization.id;
  const data = useLoad(() => Promise.all([
    api('GET', '/escalation-policies'),
    api('GET', '/notification-channels'),
    api('GET', `/organizations/${org}/members?itemsPerPage=100`),
  ]));
  const [editing, setEditing] = useState(null);
  const [error, setError] = useState(null);
  const editor = can(profile, 'writeNotificationChannels');
  const remove = async (p) => {
    setError(null);
    try {
      await api('DELETE', `/escalation-policies/${p.id}`);
    } catch (e) {
      setError(e);
    }
    data.reload();
  };
  return html`
    <main class="wide">
      <div class="page-head">
        <h1>${t('esc.title')}</h1>
        ${editor && !editing && html`<button type="button" data-shortcut="new"
          onClick=${() => setEditing({ name: '', steps: [newStep()], repeat: 0, default: false })}>${t('esc.new')}</button>`}
      </div>
      <p class="muted">${t('esc.intro')}</p>
      ${error && html`<${Alert}>${errorText(error)}<//>`}
      <${Async} state=${data} retry=${data.reload}>${([policies, channels, members]) => html`
        ${editing && html`<${PolicyForm} policy=${editing} channels=${channels.items} members=${members.members}
          onDone=${(saved) => { setEditing(null); if (saved) data.reload(); }} />`}
        ${policies.items.length === 0 && !editing ? html`<p class="empty">${t('esc.none')}</p>` : html`
          <ul class="esc-list">
            ${policies.items.map((p) => html`
              <li class="card esc-policy" key=${p.id} data-testid="escalation-policy">
                <div><strong>${p.name}</strong> ${p.default && html`<span class="badge">${t('esc.default')}</span>`}
                  <p class="muted">${t('esc.summary', { steps: p.steps.length, repeat: p.repeat })}</p></div>
                ${editor && html`<div class="esc-actions">
                  <button type="button" class="secondary" onClick=${() => setEditing(p)}>${t('esc.edit')}</button>
                  <button type="button" class="danger" onClick=${() => remove(p)}>${t('esc.delete')}</button></div>`}
              </li>`)}
          </ul>`}`}
      <//>
    </main>`;
}

function PolicyForm({ policy, channels, members, onDone }) {
  const [form, setForm] = useState(policy);
  const [state, setState] = useState({ busy: false, error: null });
  const setStep = (i, step) => setForm({ ...form, steps: form.steps.map((s, j) => (j === i ? step : s)) });
  const submit = async (e) => {
    e.preventDefault();
    if (form.steps.some((s) => !s.channels.length && !s.members.length)) {
      setState({ busy: false, error: { message: t('esc.needSomeone') } });
      return;
    }
    setState({ busy: true, error: null });
    const body = {
      name: form.name,
      repeat: Number(form.repeat),
      default: form.default,
      steps: form.steps.map((s) => ({ ...s, afterMinutes: Number(s.afterMinutes) })),
    };
    try {
      await (policy.id ? api('PATCH', `/escalation-policies/${policy.id}`, body) : api('POST', '/escalation-policies', body));
      onDone(true);
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  return html`
    <form class="card esc-form" onSubmit=${submit} data-testid="escalation-form">
      <${Field} label=${t('esc.name')} value=${form.name} required maxlength="100"
        onInput=${(e) => setForm({ ...form, name: e.currentTarget.value })} />
      <fieldset class="esc-steps"><legend>${t('esc.steps')}</legend>
        ${form.steps.map((step, i) => html`<${StepFields} key=${i} n=${i + 1} step=${step} channels=${channels} members=${members}
          onChange=${(s) => setStep(i, s)} onRemove=${form.steps.length > 1 && (() => setForm({ ...form, steps: form.steps.filter((_, j) => j !== i) }))} />`)}
        <button type="button" class="secondary" onClick=${() => setForm({ ...form, steps: [...form.steps, newStep()] })}>${t('esc.addStep')}</button>
      </fieldset>
      <${Field} label=${t('esc.repeat')} type="number" min="0" max="10" value=${form.repeat}
        onInput=${(e) => setForm({ ...form, repeat: e.currentTarget.value })} />
      <label class="check"><input type="checkbox" checked=${form.default}
        onChange=${(e) => setForm({ ...form, default: e.currentTarget.checked })} /> ${t('esc.default')}</label>
      <p class="hint">${t('esc.defaultHint')}</p>
      ${state.error && html`<${Alert}>${errorText(state.error)}<//>`}
      <div class="form-actions">
        <button type="submit" disabled=${state.busy}>${t('esc.save')}</button>
        <button type="button" class="secondary" onClick=${() => onDone(false)}>${t('esc.cancel')}</button>
      </div>
    </form>`;
}

function StepFields({ n, step, channels, members, onChange, onRemove }) {
  const toggle = (key, id, on) => onChange({ ...step, [key]: on ? [...step[key], id] : step[key].filter((x) => x !== id) });
  return html`
    <fieldset class="esc-step" data-testid="escalation-step"><legend>${t('esc.step', { n })}</legend>
      <fieldset class="channel-checks"><legend>${t('esc.channels')}</legend>
        ${channels.map((c) => html`<label class="check" key=${c.id}><input type="checkbox" checked=${step.channels.includes(c.id)}
          onChange=${(e) => toggle('channels', c.id, e.currentTarget.checked)} /> ${c.name}</label>`)}
      </fieldset>
      <fieldset class="channel-checks"><legend>${t('esc.members')}</legend>
        ${members.map((m) => html`<label class="check" key=${m.id}><input type="checkbox" checked=${step.members.includes(m.id)}
          onChange=${(e) => toggle('members', m.id, e.currentTarget.checked)} /> ${m.email}</label>`)}
      </fieldset>
      <${Field} label=${t('esc.after')} type="number" min="1" max="1440" value=${step.afterMinutes} required
        onInput=${(e) => onChange({ ...step, afterMinutes: e.currentTarget.value })} />
      <label class="check"><input type="checkbox" checked=${step.urgent}
        onChange=${(e) => onChange({ ...step, urgent: e.currentTarget.checked })} /> ${t('esc.urgent')}</label>
      ${onRemove && html`<button type="button" class="link" onClick=${onRemove}>${t('esc.removeStep')}</button>`}
    </fieldset>`;
}
