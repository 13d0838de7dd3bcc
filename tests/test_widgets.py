"""byhand.widgets: the live sliders and the static fallback carry the same frames."""

import base64
import itertools
import json
import re

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from byhand.widgets import MAX_FRAMES, Explorer, explore  # noqa: E402

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
ALT = "a line for the chosen slope and intercept"


def frames_of(html):
    return json.loads(re.search(r"const frames = (\[.*?\]);", html).group(1))


def values_of(html):
    return json.loads(re.search(r"const values = (\[.*?\]);\n", html).group(1))


def draw_line(fig, slope, intercept):
    ax = fig.subplots()
    ax.plot([0, 1], [intercept, slope + intercept])
    ax.set_ylim(-3, 3)


def test_static_view_holds_one_frame_per_combination_in_row_major_order(monkeypatch):
    params = {"a": [1, 2, 3], "b": [10, 20], "c": ["x", "y"]}
    explorer = explore(lambda fig, **kw: None, alt=ALT, **params)
    # Replace the renderer by one that names its parameters, to see where each frame lands.
    monkeypatch.setattr(explorer, "frame", lambda **kw: f"{kw['a']}-{kw['b']}-{kw['c']}")
    frames = frames_of(explorer.to_html())
    expected = [f"{a}-{b}-{c}" for a, b, c in itertools.product(*params.values())]
    assert frames == expected
    # The JavaScript computes index = (i_a * 2 + i_b) * 2 + i_c; check that formula here.
    for (ia, a), (ib, b), (ic, c) in itertools.product(*(enumerate(v) for v in params.values())):
        assert frames[(ia * 2 + ib) * 2 + ic] == f"{a}-{b}-{c}"


def test_static_view_starts_on_the_frame_of_the_start_values():
    explorer = explore(
        draw_line, slope=[-1.0, 0.0, 1.0], intercept=[0, 1], start={"slope": 1.0}, alt=ALT
    )
    html = explorer.to_html()
    frames = frames_of(html)
    assert len(frames) == 6
    assert all(f.startswith("data:image/png;base64,") for f in frames)
    # slope index 2, intercept index 0 (the middle of two values rounds down) -> frame 2 * 2 + 0
    first = re.search(
        r'<img class="byhand-explorer-frame" alt="([^"]+)" data-alt="([^"]+)"\s+src="([^"]+)"', html
    )
    assert first.group(3) == frames[4]
    # The text alternative says what the figure shows, then the values it is drawn for.
    assert first.group(2) == ALT
    assert first.group(1) == f"{ALT} (slope = 1, intercept = 0)"
    assert values_of(html) == [["-1", "0", "1"], ["0", "1"]]
    assert 'name="slope" min="0" max="2" step="1" value="2" aria-valuetext="1"' in html
    assert 'name="intercept" min="0" max="1" step="1" value="0" aria-valuetext="0"' in html


def test_frames_are_real_pngs_that_differ_when_the_parameters_do():
    explorer = explore(draw_line, slope=[-1.0, 1.0], intercept=[0.0], alt=ALT)
    a, b = (base64.b64decode(f.split(",", 1)[1]) for f in frames_of(explorer.to_html()))
    assert a.startswith(b"\x89PNG") and b.startswith(b"\x89PNG")
    assert a != b
    assert explorer.frame(slope=-1.0, intercept=0.0) == "data:image/png;base64," + base64.b64encode(
        a
    ).decode("ascii")


def test_bundle_offers_the_live_widget_and_the_static_fallback():
    bundle = explore(draw_line, slope=[0.0, 1.0], intercept=[0.0], alt=ALT)._repr_mimebundle_()
    assert WIDGET_MIME in bundle
    assert bundle[WIDGET_MIME]["model_id"]
    assert "byhand-explorer" in bundle["text/html"]
    assert bundle["text/plain"] == "<Explorer over slope, intercept>"


def test_live_widget_has_one_slider_per_parameter_with_the_same_values():
    explorer = Explorer(draw_line, {"slope": [0.5, 1.5], "intercept": [0.0, 1.0, 2.0]}, alt=ALT)
    box = explorer.widget()
    sliders = box.children[1].children
    assert [s.description for s in sliders] == ["slope", "intercept"]
    assert [list(s.options) for s in sliders] == [
        [("0.5", 0.5), ("1.5", 1.5)],
        [("0", 0.0), ("1", 1.0), ("2", 2.0)],
    ]
    assert [s.value for s in sliders] == [0.5, 1.0]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "at least one parameter"),
        ({"w": 3}, "parameter 'w' needs a list of values, got int"),
        ({"w": "abc"}, "parameter 'w' needs a list of values, got str"),
        ({"w": []}, "parameter 'w' has no values"),
        ({"w": [1, 2], "start": {"w": 5}}, r"start value 5 for 'w' is not one of \[1, 2\]"),
        ({"w": [1, 2], "start": {"v": 1}}, r"unknown parameters \['v'\]"),
        ({"a": range(20), "b": range(21)}, f"20 x 21 = 420 .* more than {MAX_FRAMES} frames"),
    ],
)
def test_bad_arguments_get_clear_errors(kwargs, message):
    with pytest.raises((TypeError, ValueError), match=message):
        explore(draw_line, alt=ALT, **kwargs)


def test_numpy_arrays_are_accepted_as_slider_values():
    explorer = explore(draw_line, slope=np.linspace(-1, 1, 3), intercept=np.array([0.0]), alt=ALT)
    assert explorer.params == {"slope": [-1.0, 0.0, 1.0], "intercept": [0.0]}
    assert values_of(explorer.to_html()) == [["-1", "0", "1"], ["0"]]
    with pytest.raises(TypeError, match="parameter 'slope' needs a list of values, got ndarray"):
        explore(draw_line, slope=np.zeros((2, 2)), alt=ALT)


def test_draw_must_be_callable():
    with pytest.raises(TypeError, match="`draw` must be callable, got int"):
        explore(42, w=[1], alt=ALT)


@pytest.mark.parametrize(
    ("alt", "error", "message"),
    [
        (None, TypeError, "give alt=, a short description of what the figure shows"),
        (3, TypeError, "alt must be a string, got int"),
        ("", ValueError, "alt='' does not say what the figure shows"),
        ("  Figure. ", ValueError, "alt='Figure.' does not say what the figure shows"),
        ("plot", ValueError, "alt='plot' does not say"),
    ],
)
def test_a_figure_needs_a_text_alternative_that_says_what_it_shows(alt, error, message):
    with pytest.raises(error, match=message):
        explore(draw_line, slope=[0.0, 1.0], intercept=[0.0], alt=alt)
    with pytest.raises(TypeError, match="give alt="):
        explore(draw_line, slope=[0.0, 1.0], intercept=[0.0])  # alt is required


def test_sliders_are_labelled_and_say_the_value_they_show():
    html = explore(draw_line, slope=[-0.5, 0.5], intercept=[0.0, 2.0], alt=ALT).to_html()
    uid = re.search(r'<div class="byhand-explorer" id="([\w-]+)">', html).group(1)
    for k, (name, shown) in enumerate([("slope", "-0.5"), ("intercept", "0")]):
        # A real <label for=...> names each range input with the text shown beside it ...
        assert f'<label for="{uid}-{k}" style="min-width:8em">{name}</label>' in html
        assert f'<input type="range" id="{uid}-{k}" name="{name}"' in html
        # ... and the input tells a screen reader the value shown, not its position 0, 1, ...
        assert f'value="0" aria-valuetext="{shown}"' in html
        assert f'<output for="{uid}-{k}">{shown}</output>' in html
    # The script keeps aria-valuetext and the alt text in step with the sliders.
    assert 's.setAttribute("aria-valuetext", values[k][i]);' in html
    assert 'img.alt = img.dataset.alt + " (" + shown.join(", ") + ")";' in html
    # Names and alt text are escaped like any text written into HTML.
    tricky = explore(draw_line, slope=[0.0], intercept=[0.0], alt='x < 1 & "y"').to_html()
    assert 'data-alt="x &lt; 1 &amp; &quot;y&quot;"' in tricky
