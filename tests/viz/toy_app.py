"""A minimal Mesa 3.5 dashboard used to prove the browser-test and offline-asset setup.

A counter model with one slider parameter (``increment``), shown with
:class:`mesa.visualization.SolaraViz`: one line plot made with ``make_plot_component``
(matplotlib, rendered by the server), one made with the altair backend (rendered in the browser
by vega-embed, from the offline asset cache), and a text panel with a date-like label.

Run it by hand with::

    SOLARA_ASSETS_PROXY_CACHE_DIR=$(python -m abm.viz.assets) \\
        solara run tests/viz/toy_app.py --host 127.0.0.1 --port 8765

The model is made per browser session (``solara.use_memo`` in :func:`Page`): a model created
at module level would be shared by every session.
"""

from __future__ import annotations

import solara
from mesa import Model
from mesa.datacollection import DataCollector
from mesa.visualization import SolaraViz, make_plot_component
from mesa.visualization.utils import update_counter

START_MONTH = "2025-01"

MODEL_PARAMS = {
    "increment": {
        "type": "SliderInt",
        "value": 1,
        "label": "Increment",
        "min": 1,
        "max": 10,
        "step": 1,
    },
}


def month_label(start: str, months: int) -> str:
    """``"YYYY-MM"`` of ``months`` months after ``start`` (also ``"YYYY-MM"``)."""
    year, month = (int(part) for part in start.split("-"))
    index = year * 12 + (month - 1) + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


class CounterModel(Model):
    """Adds ``increment`` to ``value`` each step; one step is one month."""

    def __init__(self, increment: int = 1, start: str = START_MONTH, rng=None) -> None:
        super().__init__(rng=rng)
        self.increment = int(increment)
        self.start = start
        self.value = 0
        self.datacollector = DataCollector(model_reporters={"Count": "value"})
        self.datacollector.collect(self)

    @property
    def date(self) -> str:
        """Simulated month of the current step, ``"YYYY-MM"``."""
        return month_label(self.start, self.steps)

    def step(self) -> None:
        """Advance one month."""
        self.value += self.increment
        self.datacollector.collect(self)


@solara.component
def DatePanel(model: CounterModel) -> None:
    """Text panel: simulated date, current value and increment."""
    update_counter.get()  # re-render on every step / reset
    with solara.Column(classes=["toy-date-panel"]):
        solara.Markdown("#### Counter status")
        solara.Text(f"Date: {model.date}", classes=["toy-date"])
        solara.Text(f"Value: {model.value}", classes=["toy-value"])
        solara.Text(f"Increment: {model.increment}", classes=["toy-increment"])


COMPONENTS = [
    make_plot_component("Count"),
    make_plot_component("Count", backend="altair"),
    DatePanel,
]


@solara.component
def Page() -> None:
    """One model per browser session, shown with SolaraViz."""
    model = solara.use_memo(lambda: CounterModel(increment=MODEL_PARAMS["increment"]["value"]), [])
    SolaraViz(model, components=COMPONENTS, model_params=MODEL_PARAMS, name="Toy counter")
