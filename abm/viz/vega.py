"""A Vega-Lite chart drawn in the browser and updated incrementally.

Solara's own ``FigureAltair`` re-embeds the whole chart on every change (after a 100 ms
debounce): every Step would recompile and redraw every panel. :class:`VegaStream` embeds its
spec once and then applies each update as a Vega *changeset*:

- a ``stream`` dataset (the indicator series) is sent column-wise and in full, but the browser
  inserts only the months it has not drawn yet; a new ``epoch`` (a Reset) or a shorter series
  replaces everything;
- a ``replace`` dataset (the pipeline map, the policy marks) is swapped whole, and only when its
  ``key`` changed;
- ``signals`` set the chart's parameters (axis ranges, titles that say which months a figure
  covers).

Updates are applied in order; when several arrive while one is drawing, only the newest is
applied (each carries the whole state). Once an update is drawn the chart's root element gets
``data-abm-date`` = the update's ``date`` (the browser test times a Step by it).

The page loads vega, vega-lite and vega-embed from Solara's asset proxy (the same URLs as
solara's own Vega-Lite widget, so :mod:`abm.viz.assets` caches them for offline use).
"""

from __future__ import annotations

import math
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
    update() { this.schedule(); },
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
        const result = await embed(this.$refs.plot, spec, {renderer: 'svg', actions: false});
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
    async apply() {
      const u = this.update;
      const view = this.view;
      if (!view || !u || !u.data) return;
      const vega = this.vega;
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
          view.change(name, cs.remove(vega.truthy).insert(d.rows));
          this.state[name] = {key: d.key};
        }
      }
      for (const [k, val] of Object.entries(u.signals || {})) view.signal(k, val);
      await view.runAsync();
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


def is_json_number(x: Any) -> bool:
    """Whether ``x`` is a number JSON can carry (finite int or float)."""
    return isinstance(x, int | float) and math.isfinite(x)


@solara.component
def VegaChart(spec: dict, update: dict, classes: list[str] | None = None) -> None:
    """One incrementally updated chart inside a ``div`` with ``classes``."""
    with solara.Div(classes=classes or []):
        VegaStream.element(spec=spec, update=update)
