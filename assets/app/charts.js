// Charts: a tiny SVG sparkline for lists, an SVG strip of daily uptime, and the response-time
// chart drawn by the vendored uPlot (loaded on first use; see vendor/VENDOR.md).
import { html, useEffect, useMemo, useRef, useState } from './lib.js';
import { formatDateTime, formatMs, formatNumber, formatPercent, formatShort, getLang, t } from './i18n.js';
import { Alert } from './components.js';

const UPLOT_SRC = '/dashboard/vendor/uplot-1.6.32.iife.min.js';
let uplotPromise = null;

/** The global uPlot, loading its script once. */
export function loadUplot() {
  if (window.uPlot) return Promise.resolve(window.uPlot);
  if (!uplotPromise) {
    uplotPromise = new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = UPLOT_SRC;
      script.onload = () => resolve(window.uPlot);
      script.onerror = () => {
        uplotPromise = null;
        script.remove();
        reject(new Error('uPlot'));
      };
      document.head.append(script);
    });
  }
  return uplotPromise;
}

const ms = (iso) => new Date(iso).getTime();

/**
 * Average response time per bucket as a polyline over [from, to]; failed buckets get a red tick
 * at the bottom. Decorative for sighted users; the label sums it up for screen readers.
 */
export function Sparkline({ buckets, from, to }) {
  const points = buckets.filter((b) => b.responseMsAvg !== null);
  const values = points.map((b) => b.responseMsAvg);
  const max = Math.max(1, ...values);
  const span = Math.max(1, to - from);
  const slot = (3600000 / span) * 100; // one hourly bucket
  const x = (b) => Math.min(100 - slot, ((ms(b.start) - from) / span) * 100);
  const y = (v) => 26 - (v / max) * 22;
  const line = points.map((b) => `${x(b).toFixed(2)},${y(b.responseMsAvg).toFixed(2)}`).join(' ');
  const label = values.length
    ? t('chart.sparkLabel', { min: formatMs(Math.min(...values)), max: formatMs(Math.max(...values)) })
    : t('chart.noData');
  return html`
    <svg class="spark" viewBox="0 0 100 28" preserveAspectRatio="none" role="img" aria-label=${label}>
      ${buckets.filter((b) => b.failures > 0).map((b) => html`<rect class="spark-fail" x=${x(b)} y="0" width=${slot} height="28" />`)}
      ${points.length > 1 && html`<polyline class="spark-line" points=${line} vector-effect="non-scaling-stroke" />`}
      ${points.length === 1 && html`<circle class="spark-dot" cx=${x(points[0])} cy=${y(values[0])} r="2.5" />`}
    </svg>`;
}

/** One bar per day for the last `days` days (UTC days, as the server rolls them up). */
export function UptimeStrip({ buckets, days = 90, uptime }) {
  const byDay = new Map(buckets.map((b) => [ms(b.start), b]));
  const today = Math.floor(Date.now() / 86400000) * 86400000;
  const width = 100 / days;
  const bars = [];
  for (let i = 0; i < days; i++) {
    const start = today - (days - 1 - i) * 86400000;
    const bucket = byDay.get(start);
    // A day of maintenance only has its own colour: its checks do not count.
    const maintenance = bucket ? bucket.maintenanceChecks || 0 : 0;
    const tone = bucket && bucket.uptime === null && maintenance > 0 ? 'maintenance'
      : !bucket || bucket.uptime === null ? 'none'
        : bucket.uptime >= 99.9 ? 'ok' : bucket.uptime >= 95 ? 'warn' : 'bad';
    const day = formatShort(new Date(start), false);
    const inMaintenance = maintenance > 0 ? t('chart.dayInMaintenance', { n: formatNumber(maintenance) }) : '';
    const title = tone === 'maintenance' ? t('chart.dayMaintenance', { day, n: formatNumber(maintenance) })
      : bucket
        ? t('chart.dayTitle', { day, uptime: formatPercent(bucket.uptime), checks: formatNumber(bucket.checks), failures: formatNumber(bucket.failures) }) + inMaintenance
        : t('chart.dayEmpty', { day });
    bars.push(html`<rect class=${'strip-' + tone} x=${i * width + width * 0.1} y="0" width=${width * 0.8} height="20"><title>${title}</title></rect>`);
  }
  return html`
    <figure class="strip-figure">
      <svg class="strip" viewBox="0 0 100 20" preserveAspectRatio="none" role="img"
        aria-label=${t('chart.stripLabel', { days, uptime: formatPercent(uptime) })}>${bars}</svg>
      <figcaption class="strip-legend">
        <span class="strip-ends"><span>${t('chart.daysAgo', { days })}</span><span>${t('chart.today')}</span></span>
        <span class="strip-keys" aria-hidden="true">
          <span><i class="key strip-ok"></i>${'≥ ' + formatPercent(99.9)}</span>
          <span><i class="key strip-warn"></i>${'≥ ' + formatPercent(95)}</span>
          <span><i class="key strip-bad"></i>${'< ' + formatPercent(95)}</span>
          <span><i class="key strip-none"></i>${t('chart.noChecks')}</span>
          <span><i class="key strip-maintenance"></i>${t('quiet.maintenance')}</span>
        </span>
      </figcaption>
    </figure>`;
}

const HEIGHT = 240;

/** Columns for uPlot: x in seconds, then average, min and max response times. */
function columns(buckets) {
  const x = [], avg = [], min = [], max = [];
  for (const b of buckets) {
    x.push(ms(b.start) / 1000);
    avg.push(b.responseMsAvg === null ? null : Math.round(b.responseMsAvg));
    min.push(b.responseMsMin);
    max.push(b.responseMsMax);
  }
  return [x, avg, min, max];
}

/**
 * Response time over [from, to] (ms since the epoch): the average as a line, min–max as a band.
 * Follows its container's width (ResizeObserver); redrawn in place when `buckets` change.
 */
export function ResponseChart({ buckets, from, to }) {
  const box = useRef(null);
  const plot = useRef(null);
  const windowRef = useRef([from, to]);
  windowRef.current = [from / 1000, to / 1000];
  const [error, setError] = useState(null);
  const data = useMemo(() => columns(buckets), [buckets]);
  const dataRef = useRef(data);
  dataRef.current = data;
  const lang = getLang();

  useEffect(() => {
    let live = true;
    let observer = null;
    loadUplot().then((UPlot) => {
      if (!live || !box.current) return;
      plot.current = new UPlot(chartOptions(box.current.clientWidth, windowRef), dataRef.current, box.current);
      observer = new ResizeObserver(() => {
        const width = box.current && box.current.clientWidth;
        if (width && plot.current) plot.current.setSize({ width, height: HEIGHT });
      });
      observer.observe(box.current);
    }, (e) => live && setError(e));
    return () => {
      live = false;
      if (observer) observer.disconnect();
      if (plot.current) plot.current.destroy();
      plot.current = null;
    };
  }, [lang]);

  useEffect(() => {
    if (plot.current) plot.current.setData(data);
  }, [data, from, to]);

  const values = buckets.map((b) => b.responseMsAvg).filter((v) => v !== null);
  const summary = values.length
    ? t('chart.summary', {
      avg: formatMs(Math.round(values.reduce((a, b) => a + b, 0) / values.length)),
      min: formatMs(Math.min(...buckets.map((b) => b.responseMsMin).filter((v) => v !== null))),
      max: formatMs(Math.max(...buckets.map((b) => b.responseMsMax).filter((v) => v !== null))),
    })
    : t('chart.noData');
  if (error) return html`<${Alert}>${t('chart.failed')}<//>`;
  return html`
    <div class="chart" ref=${box} role="img" aria-label=${t('chart.responseTitle') + ': ' + summary}></div>
    <p class="muted small">${summary}</p>`;
}

function chartOptions(width, windowRef) {
  const accent = '#b45309';
  const span = () => windowRef.current[1] - windowRef.current[0];
  return {
    width: Math.max(width, 200),
    height: HEIGHT,
    scales: {
      x: { time: true, range: () => windowRef.current },
      y: { range: (u, lo, hi) => [0, Math.max(10, (hi || 0) * 1.15)] },
    },
    axes: [
      {
        space: 70,
        values: (u, splits) => splits.map((s) => (span() <= 36 * 3600
          ? new Intl.DateTimeFormat(getLang(), { hour: '2-digit', minute: '2-digit' }).format(new Date(s * 1000))
          : formatShort(new Date(s * 1000), false))),
      },
      { size: 72, values: (u, splits) => splits.map((v) => `${formatNumber(v)} ms`) },
    ],
    series: [
      { label: t('chart.time'), value: (u, v) => (v === null || v === undefined ? '—' : formatDateTime(new Date(v * 1000).toISOString())) },
      { label: t('chart.avg'), stroke: accent, width: 2, value: (u, v) => formatMs(v), points: { size: 7, fill: accent } },
      { label: t('chart.min'), stroke: 'rgba(180, 83, 9, 0.35)', width: 1, value: (u, v) => formatMs(v) },
      { label: t('chart.max'), stroke: 'rgba(180, 83, 9, 0.35)', width: 1, value: (u, v) => formatMs(v) },
    ],
    bands: [{ series: [3, 2], fill: 'rgba(180, 83, 9, 0.12)' }],
    cursor: { drag: { x: false, y: false } },
    legend: { live: true },
  };
}
