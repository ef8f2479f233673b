"""A Vega-Lite chart drawn in the browser and updated incrementally.

Solara's own ``FigureAltair`` re-embeds the whole chart on every change (after a 100 ms
debounce): every Step would recompile and redraw every panel. :class:`VegaStream` embeds its
spec once and then applies each update as a Vega *changeset*:

- a ``stream`` dataset (the indicator series) is sent column-wise and in full, but the browser
  inserts only the months it has not drawn yet; a new ``epoch`` (a Reset) or a shorter series
  replaces everything;
- a ``replace`` dataset (the pipeline map, the policy marks; ``rows``, or ``columns`` zipped
  into rows in the browser) is swapped whole, and only when its ``key`` changed;
- ``signals`` set the chart's parameters (axis ranges, titles that say which months a figure
  covers).

Updates are applied in order; when several arrive while one is drawing, only the newest is
applied (each carries the whole state). Once an update is drawn the chart's root element gets
``data-abm-date`` = the update's ``date`` (the browser test times a Step by it) and
``data-abm-draw-ms``, the milliseconds the browser took to apply and draw it.

The chart is drawn as SVG unless the spec's ``usermeta.renderer`` says ``canvas``.

The page loads vega, vega-lite and vega-embed from Solara's asset proxy (the same URLs as
solara's own Vega-Lite widget, so :mod:`abm.viz.assets` caches them for offline use).
"""

from __future__ import annotations

from typing import Any

import ipyvuetify as v
import numpy as np
import solara
import traitlets

TEMPLATE = r"""
<template>
  <div class="abm-vega"><div ref="plot"></div></div>
</template>
<script>
module.exports = {
  mounted() {
    this.state = {};
    this.chain = Promise.resolve();
    this.pending = false;
    this.embed();
  },
  destroyed() {
    if (this.view) { this.view.finalize(); this.view = null; }
  },
  watch: {
    spec() { this.embed(); },
    update() { this.tRecv = performance.now(); this.schedule(); },
  },
  methods: {
    cdn() {
      if (this.cdn_url) return this.cdn_url;
      if (window.solara && window.solara.cdn) return window.solara.cdn;
      return `${document.baseURI.replace(/\/?$/, '/')}_solara/cdn`;
    },
    loadVega() {
      if (!window.__abmVega) {
        const cdn = this.cdn();
        window.__abmVega = new Promise((resolve, reject) => {
          const go = () => {
            window.require.config({paths: {
              'vega': `${cdn}/vega@5/build/vega.min`,
              'vega-lite': `${cdn}/vega-lite@5/build/vega-lite.min`,
              'vega-embed': `${cdn}/vega-embed@6/build/vega-embed.min`,
            }});
            window.require(['vega', 'vega-lite', 'vega-embed'],
              (vega, vl, embed) => resolve({vega, embed}), reject);
          };
          if (window.requirejs) { go(); return; }
          const script = document.createElement('script');
          script.src = `${cdn}/requirejs@2.3.6/require.js`;
          script.onload = go;
          script.onerror = reject;
          document.head.appendChild(script);
        });
      }
      return window.__abmVega;
    },
    embed() {
      this.chain = this.chain.then(async () => {
        const {vega, embed} = await this.loadVega();
        this.vega = vega;
        if (this.view) { this.view.finalize(); this.view = null; }
        this.state = {};
        const spec = JSON.parse(JSON.stringify(this.spec));
        const renderer = (spec.usermeta && spec.usermeta.renderer) || 'svg';
        const result = await embed(this.$refs.plot, spec, {renderer, actions: false});
        this.view = result.view;
        await this.apply();
      }).catch((e) => console.error('abm vega embed', e));
    },
    schedule() {
      if (this.pending) return;  // the queued apply() will read the newest update
      this.pending = true;
      this.chain = this.chain.then(() => { this.pending = false; return this.apply(); })
        .catch((e) => console.error('abm vega update', e));
    },
    rows(d, from) {
      const out = [];
      for (let i = from; i < d.x.length; i++) {
        for (let s = 0; s < d.series.length; s++) {
          const row = Object.assign({x: d.x[i], v: d.values[s][i]}, d.series[s]);
          if (d.months) row.months = d.months[i];
          out.push(row);
        }
      }
      return out;
    },
    zip(columns) {
      const names = Object.keys(columns);
      const n = names.length ? columns[names[0]].length : 0;
      const out = new Array(n);
      for (let i = 0; i < n; i++) {
        const row = {};
        for (const k of names) row[k] = columns[k][i];
        out[i] = row;
      }
      return out;
    },
    async apply() {
      const u = this.update;
      const view = this.view;
      if (!view || !u || !u.data) return;
      const vega = this.vega;
      const t0 = performance.now();
      for (const [name, d] of Object.entries(u.data)) {
        const st = this.state[name] || {};
        let cs = vega.changeset();
        if (d.mode === 'stream') {
          const n = d.x.length;
          let from = st.n || 0;
          if (st.key !== d.key || n < from) { cs = cs.remove(vega.truthy); from = 0; }
          if (from === n && st.key === d.key) continue;
          view.change(name, cs.insert(this.rows(d, from)));
          this.state[name] = {key: d.key, n};
        } else {
          if (st.key === d.key) continue;
          view.change(name, cs.remove(vega.truthy).insert(d.rows || this.zip(d.columns)));
          this.state[name] = {key: d.key};
        }
      }
      for (const [k, val] of Object.entries(u.signals || {})) view.signal(k, val);
      await view.runAsync();
      this.$el.setAttribute('data-abm-draw-ms', (performance.now() - t0).toFixed(1));
      this.$el.setAttribute('data-abm-received', (this.tRecv || 0).toFixed(1));
      this.$el.setAttribute('data-abm-date', u.date || '');
    },
  },
};
</script>
"""


class VegaStream(v.VuetifyTemplate):
    """The widget: ``spec`` (a Vega-Lite dict, embedded once) and ``update`` (see module doc)."""

    template = traitlets.Unicode(TEMPLATE).tag(sync=True)
    spec = traitlets.Dict().tag(sync=True)
    update = traitlets.Dict().tag(sync=True)
    cdn_url = traitlets.Unicode(None, allow_none=True).tag(sync=True)

    @traitlets.default("cdn_url")
    def _cdn(self) -> str | None:
        import solara.settings

        return None if solara.settings.assets.proxy else solara.settings.assets.cdn


def json_floats(a: np.ndarray, digits: int = 6) -> list:
    """A float array as a JSON-safe list: NaN and infinities become None (JSON has no NaN),
    values rounded to ``digits`` significant digits (smaller messages, same picture)."""
    a = np.asarray(a, dtype=float)
    finite = np.isfinite(a)
    with np.errstate(divide="ignore", invalid="ignore"):
        mag = np.where(finite & (a != 0), np.floor(np.log10(np.abs(np.where(finite, a, 1)))), 0)
    scale = 10.0 ** (digits - 1 - mag)
    rounded = np.where(finite, np.round(a * scale) / scale, 0.0)
    out = rounded.tolist()
    if finite.all():
        return out
    return _none_where(out, ~finite)


def _none_where(values: list, mask: np.ndarray) -> list:
    if mask.ndim == 1:
        return [None if m else x for x, m in zip(values, mask.tolist(), strict=True)]
    return [_none_where(row, m) for row, m in zip(values, mask, strict=True)]


@solara.component
def VegaChart(spec: dict, update: dict, classes: list[str] | None = None) -> None:
    """One incrementally updated chart inside a ``div`` with ``classes``."""
    with solara.Div(classes=classes or []):
        VegaStream.element(spec=spec, update=update)


TICKER_TEMPLATE = r"""
<template><span class="abm-ticker" style="display: none"></span></template>
<script>
module.exports = {
  mounted() {
    this.waiting = false;
    this.hideMesaPlay();
    if (this.active) this.next();
  },
  destroyed() { clearTimeout(this.timer); },
  watch: {
    active(on) { this.waiting = false; if (on) this.next(); else clearTimeout(this.timer); },
    done() { this.waiting = false; this.next(); },
  },
  methods: {
    mesaSlider(label, fallback) {
      const input = [...document.querySelectorAll('.v-input')]
        .find((el) => el.textContent.includes(label));
      const slider = input && input.querySelector('[role=slider]');
      const value = slider && Number(slider.getAttribute('aria-valuenow'));
      return value > 0 ? value : fallback;
    },
    hideMesaPlay() {
      for (const b of document.querySelectorAll('button')) {
        const t = b.textContent.trim();
        if (t === '▶' || t === '❚❚') b.style.display = 'none';
      }
    },
    next() {
      if (!this.active || this.waiting) return;
      clearTimeout(this.timer);
      // the play interval runs from one frame's start to the next (not after the frame)
      const interval = this.mesaSlider('Play Interval', this.interval_ms);
      const wait = Math.max(0, (this.sent || 0) + interval - performance.now());
      this.timer = setTimeout(() => {
        if (!this.active) return;
        this.waiting = true;
        this.sent = performance.now();
        this.tick(this.mesaSlider('Render Interval', 1));
      }, wait);
    },
  },
};
</script>
"""


class Ticker(v.VuetifyTemplate):
    """Play driven by the browser: while ``active``, asks the server for the next months
    (``tick``) once the previous ones were handled (``done``) and Mesa's play interval has
    passed since the previous request, as many months as Mesa's render interval (both read
    from Mesa's sliders on the page).

    Why not Mesa's own Play (hidden by this widget): with mesa 3.5 and solara 1.64 its worker
    thread steps the model, but the re-render it triggers does not reach the page until some
    other message arrives (measured: 0 months a second on screen while the model ran to its
    end). A tick is handled like a Step click, whose updates are sent at once.
    """

    template = traitlets.Unicode(TICKER_TEMPLATE).tag(sync=True)
    active = traitlets.Bool(False).tag(sync=True)
    interval_ms = traitlets.Int(50).tag(sync=True)
    done = traitlets.Int(0).tag(sync=True)
    on_tick = traitlets.Callable(None, allow_none=True)

    def vue_tick(self, months: Any = 1) -> None:
        """Advance ``months`` months (the browser's request)."""
        try:
            if self.on_tick is not None:
                self.on_tick(max(1, int(months or 1)))
        finally:
            self.done += 1
