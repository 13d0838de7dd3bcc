"""Interactive figures that still work in the static book.

`explore(draw, name=values, ...)` shows one slider per parameter and redraws a matplotlib
figure when a slider moves.

* In a live kernel (Jupyter, Binder, Colab) the sliders are ipywidgets controls and every
  move calls `draw` again.
* In the built HTML book no kernel runs, so the same output also carries a static
  fallback: the figure is drawn once for every combination of slider values, and a few
  lines of JavaScript show the frame that matches the sliders. Moving a slider still
  changes the picture.

Both views travel in one display bundle. Jupyter front ends pick the live widget; the book
is configured (`nb_mime_priority_overrides` in `_config.yml`) to pick the HTML fallback.

    def draw(fig, slope, intercept):
        ax = fig.subplots()
        ax.plot(x, slope * x + intercept)

    explore(draw, slope=[-1, 0, 1], intercept=[0, 0.5, 1], alt="a line for a chosen slope")

`alt` is required: the static page shows a picture, and a reader who cannot see it hears
this text instead, followed by the sliders' current values. The fallback works with the
keyboard alone: each slider is a labelled range input that Tab reaches and the arrow,
Home and End keys move, and it tells a screen reader the value it shows, not its position.
"""

from __future__ import annotations

import base64
import html
import io
import itertools
import json
import math
import uuid
from collections.abc import Callable, Sequence

import numpy as np
from matplotlib.figure import Figure
from PIL import Image

MAX_FRAMES = 400
# Words that say a picture is there without saying what it shows: not a text alternative.
GENERIC_ALT = {"", "figure", "fig", "image", "img", "picture", "plot", "graph", "chart", "png",
               "explorer", "widget", "frame", "animation"}  # fmt: skip
PALETTE_COLOURS = 64  # plots use few colours; a palette PNG is about a third of the size

_TEMPLATE = """\
<div class="byhand-explorer" id="{uid}">
<img class="byhand-explorer-frame" alt="{alt_now}" data-alt="{alt}" src="{first}"
 style="max-width:100%;height:auto">
<div class="byhand-explorer-controls">{controls}</div>
<script>
(function () {{
  const root = document.getElementById("{uid}");
  const frames = {frames};
  const values = {values};
  const img = root.querySelector("img");
  const sliders = Array.from(root.querySelectorAll("input[type=range]"));
  function show() {{
    let index = 0;
    const shown = [];
    sliders.forEach(function (s, k) {{
      const i = Number(s.value);
      index = index * values[k].length + i;
      s.setAttribute("aria-valuetext", values[k][i]);
      s.parentElement.querySelector("output").textContent = values[k][i];
      shown.push(s.name + " = " + values[k][i]);
    }});
    img.src = frames[index];
    img.alt = img.dataset.alt + " (" + shown.join(", ") + ")";
  }}
  sliders.forEach(function (s) {{ s.addEventListener("input", show); }});
  show();
}})();
</script>
</div>"""

# One slider: its name is a real <label> of the range input (what a screen reader announces
# and what a click on the name focuses), and `aria-valuetext` says the value shown beside it
# rather than the input's position 0, 1, 2, ...
_CONTROL = (
    '<div class="byhand-explorer-control" style="display:flex;flex-wrap:wrap;'
    'align-items:center;gap:0 0.5em;margin:0.2em 0">'
    '<label for="{id}" style="min-width:8em">{name}</label>'
    '<input type="range" id="{id}" name="{name}" min="0" max="{last}" step="1" value="{start}"'
    ' aria-valuetext="{shown}" style="max-width:100%">'
    '<output for="{id}">{shown}</output></div>'
)


def _png_data_uri(draw: Callable[..., None], params: dict, figsize, dpi) -> str:
    """Draw one frame with `draw(fig, **params)` and return it as a PNG data URI.

    Every frame of every combination is stored in the static page, so frames are saved
    as palette PNGs, which keep lines and text sharp at a fraction of the size.
    """
    fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    draw(fig, **params)
    rendered = io.BytesIO()
    fig.savefig(rendered, format="png")
    rendered.seek(0)
    palette = Image.open(rendered).convert("RGB").quantize(PALETTE_COLOURS)
    buffer = io.BytesIO()
    palette.save(buffer, format="png", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _label(value) -> str:
    """How a slider value is printed: short, and the same in both views."""
    return f"{value:g}" if isinstance(value, float) else str(value)


class Explorer:
    """A figure with one slider per parameter; see the module docstring.

    Parameters
    ----------
    draw : callable
        `draw(fig, **params)` draws on the empty matplotlib `Figure` it is given.
    params : dict of name -> sequence
        The values each slider steps through, in order.
    start : dict of name -> value, optional
        Where each slider starts; by default at the middle of its values.
    alt : str
        What the figure shows, in words: the static page's text alternative for the picture
        (the current slider values are added to it). Required, and not a generic word such
        as "figure" or "plot".
    """

    def __init__(self, draw, params, start=None, figsize=(6.4, 3.2), dpi=90, alt=None):
        if not callable(draw):
            raise TypeError(f"explore: `draw` must be callable, got {type(draw).__name__}")
        if not params:
            raise ValueError("explore: give at least one parameter, e.g. explore(draw, w=[0, 1])")
        if alt is None:
            raise TypeError(
                "explore: give alt=, a short description of what the figure shows, e.g. "
                'alt="the decision boundary for the chosen weights"; a reader who cannot see '
                "the picture hears it instead"
            )
        if not isinstance(alt, str):
            raise TypeError(f"explore: alt must be a string, got {type(alt).__name__}")
        alt = " ".join(alt.split())
        if alt.lower().strip(".") in GENERIC_ALT:
            raise ValueError(
                f"explore: alt={alt!r} does not say what the figure shows; describe it, e.g. "
                'alt="the decision boundary for the chosen weights"'
            )
        self.draw, self.figsize, self.dpi, self.alt = draw, figsize, dpi, alt
        self.params: dict[str, list] = {}
        for name, values in params.items():
            if isinstance(values, np.ndarray) and values.ndim == 1:
                values = values.tolist()  # plain Python numbers print and compare simply
            if isinstance(values, (str, bytes)) or not isinstance(values, Sequence | range):
                raise TypeError(
                    f"explore: parameter {name!r} needs a list of values, "
                    f"got {type(values).__name__}"
                )
            if len(values) == 0:
                raise ValueError(f"explore: parameter {name!r} has no values")
            self.params[name] = list(values)
        frames = math.prod(len(v) for v in self.params.values())
        if frames > MAX_FRAMES:
            sizes = " x ".join(str(len(v)) for v in self.params.values())
            raise ValueError(
                f"explore: {sizes} = {frames} combinations of slider values, more than "
                f"{MAX_FRAMES} frames for the static page; give fewer values"
            )
        start = dict(start or {})
        unknown = set(start) - set(self.params)
        if unknown:
            raise ValueError(f"explore: start names unknown parameters {sorted(unknown)}")
        self.start = {}
        for name, values in self.params.items():
            if name in start and start[name] not in values:
                raise ValueError(
                    f"explore: start value {start[name]!r} for {name!r} is not one of {values}"
                )
            self.start[name] = start.get(name, values[(len(values) - 1) // 2])

    def frame(self, **params) -> str:
        """One frame as a PNG data URI."""
        return _png_data_uri(self.draw, params, self.figsize, self.dpi)

    def to_html(self) -> str:
        """The static view: every frame, one range input per parameter, and a little JS.

        Frames are stored in row-major order of the parameters, so the frame for slider
        positions (i_0, i_1, ...) sits at index ((i_0 * n_1 + i_1) * n_2 + i_2) ...
        """
        names = list(self.params)
        frames = [
            self.frame(**dict(zip(names, combo, strict=True)))
            for combo in itertools.product(*self.params.values())
        ]
        uid = f"byhand-explorer-{uuid.uuid4().hex[:12]}"
        controls = "".join(
            _CONTROL.format(
                id=f"{uid}-{k}",
                name=html.escape(name),
                last=len(values) - 1,
                start=values.index(self.start[name]),
                shown=html.escape(_label(self.start[name])),
            )
            for k, (name, values) in enumerate(self.params.items())
        )
        labels = [[_label(v) for v in values] for values in self.params.values()]
        start_index = 0
        for name, values in self.params.items():
            start_index = start_index * len(values) + values.index(self.start[name])
        shown = ", ".join(f"{name} = {_label(value)}" for name, value in self.start.items())
        return _TEMPLATE.format(
            uid=uid,
            alt=html.escape(self.alt),
            alt_now=html.escape(f"{self.alt} ({shown})"),
            first=frames[start_index],
            controls=controls,
            frames=json.dumps(frames),
            values=json.dumps(labels),
        )

    def widget(self):
        """The live view: ipywidgets sliders that redraw through `draw`."""
        import ipywidgets as widgets
        from IPython.display import Image, display

        sliders = {
            name: widgets.SelectionSlider(
                options=[(_label(v), v) for v in values],
                value=self.start[name],
                description=name,
                continuous_update=False,
            )
            for name, values in self.params.items()
        }

        def redraw(**params):
            uri = self.frame(**params)
            display(Image(data=base64.b64decode(uri.split(",", 1)[1]), format="png"))

        out = widgets.interactive_output(redraw, sliders)
        return widgets.VBox([out, widgets.VBox(list(sliders.values()))])

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = dict(self.widget()._repr_mimebundle_())
        bundle["text/html"] = self.to_html()
        bundle["text/plain"] = f"<Explorer over {', '.join(self.params)}>"
        return bundle


def explore(draw, start=None, figsize=(6.4, 3.2), dpi=90, alt=None, **params) -> Explorer:
    """Sliders over `params` that redraw `draw(fig, **params)`; see the module docstring."""
    return Explorer(draw, params, start=start, figsize=figsize, dpi=dpi, alt=alt)
