// "My notifications" on the account page: which of the organization's personal channels wake
// me, my phone number, and quiet hours in my time zone (only urgent escalation steps reach me
// during them; the others wait for their end).
import { html, useEffect, useState } from '../lib.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { Alert, Async, Field, errorText, useLoad } from '../components.js';

const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

function formOf(p) {
  const q = p.quietHours;
  return {
    all: p.channels === null || p.channels === undefined,
    channels: p.channels || [],
    phone: p.phone || '',
    quiet: !!q,
    start: q ? q.start : '22:00',
    end: q ? q.end : '07:00',
    zone: q ? q.timeZone : browserZone(),
  };
}

export function MyNotificationsSection() {
  const data = useLoad(() => Promise.all([api('GET', '/users/me/notification-preferences'), api('GET', '/notification-channels')]));
  const [form, setForm] = useState(null);
  const [state, setState] = useState({ busy: false, error: null, done: false });
  useEffect(() => { if (data.data) setForm(formOf(data.data[0])); }, [data.data]);
  const set = (key) => (e) => setForm({ ...form, [key]: e.currentTarget.type === 'checkbox' ? e.currentTarget.checked : e.currentTarget.value });
  const submit = async (e) => {
    e.preventDefault();
    setState({ busy: true, error: null, done: false });
    const body = {
      channels: form.all ? null : form.channels,
      phone: form.phone.trim() || null,
      quietHours: form.quiet ? { start: form.start, end: form.end, timeZone: form.zone.trim() } : null,
    };
    try {
      setForm(formOf(await api('PUT', '/users/me/notification-preferences', body)));
      setState({ busy: false, error: null, done: true });
    } catch (error) {
      setState({ busy: false, error, done: false });
    }
  };
  return html`
    <section class="card" aria-labelledby="my-notifications-title" data-testid="my-notifications">
      <h2 id="my-notifications-title">${t('mine.title')}</h2>
      <p class="muted">${t('mine.intro')}</p>
      <${Async} state=${data} retry=${data.reload}>${([, channels]) => form && html`
        <form onSubmit=${submit}>
          <fieldset class="channel-checks"><legend>${t('mine.channels')}</legend>
            ${channels.items.filter((c) => c.personal).length === 0 && html`<p class="hint">${t('mine.noPersonal')}</p>`}
            ${channels.items.filter((c) => c.personal).map((c) => html`<label class="check" key=${c.id}>
              <input type="checkbox" checked=${form.all || form.channels.includes(c.id)} onChange=${(e) => {
                const chosen = form.all ? channels.items.filter((x) => x.personal).map((x) => x.id) : form.channels;
                const on = e.currentTarget.checked;
                setForm({ ...form, all: false, channels: on ? [...chosen, c.id] : chosen.filter((x) => x !== c.id) });
              }} /> ${c.name}</label>`)}
          </fieldset>
          <${Field} label=${t('mine.phone')} type="tel" value=${form.phone} onInput=${set('phone')} autocomplete="tel" />
          <label class="check"><input type="checkbox" checked=${form.quiet} onChange=${set('quiet')} /> ${t('mine.quiet')}</label>
          <p class="hint">${t('mine.quietHint')}</p>
          ${form.quiet && html`<div class="mine-quiet">
            <${Field} label=${t('mine.start')} type="time" value=${form.start} onInput=${set('start')} required />
            <${Field} label=${t('mine.end')} type="time" value=${form.end} onInput=${set('end')} required />
            <${Field} label=${t('mine.zone')} value=${form.zone} onInput=${set('zone')} required />
          </div>`}
          ${state.error && html`<${Alert}>${errorText(state.error)}<//>`}
          ${state.done && html`<${Alert} kind="success">${t('mine.saved')}<//>`}
          <button type="submit" disabled=${state.busy}>${t('mine.save')}</button>
        </form>`}
      <//>
    </section>`;
}
