"""The Chapter 9 exercise set (09_callbacks): its hints, its public cases, its hidden tests.

HINT_PAIRS pairs each known mistake of the set with a wrong function that earns its hint and
a different wrong function that does not, written as a student would write them (not taken
from the mistakes' own code), in the form of `EARNED` in test_exercise_hints.py; here they
run through the set's own `check`, as a student sees it. The public cases are compared with
the hand-worked numbers of their comments and with the course library (EarlyStopping, the
Monitor of its callbacks, StepDecay); the hidden tests must take points from every wrong
function here, give none for returning the inputs, and give the solutions all 20. The
grader's scan must let the notebook's callbacks subclass byhand.callbacks.Callback and use
LearningRateScheduler, and flag a function that leans on the library's EarlyStopping.
"""

import copy
import math

import nbformat
import numpy as np
import pytest
import set_tools
from set_tools import printed_by
from test_exercises import ROOT, notebook_namespace

from byhand.callbacks import EarlyStopping
from byhand.exercises.callbacks import (
    EARLY_STOPPING_UPDATE,
    IMPROVES,
    KEEP_BEST,
    LOG_UNIFORM,
    STEP_DECAY,
    check,
    kept_copies,
    reference_early_stopping_update,
    reference_epochs_run,
    reference_improves,
    reference_keep_best,
    reference_log_uniform,
    reference_step_decay,
    training_run,
)
from byhand.grading import load_tests
from byhand.grading.runner import uses_of_answers

SET = "09_callbacks"
HIDDEN = ROOT / "solutions" / "hidden" / f"{SET}.py"


checked = printed_by(check, quiet=True)


# --- improves: wrong functions as students write them --------------------------------------


def minimises_everything(value, best, mode, min_delta):
    return value < best - min_delta


def counts_ties(value, best, mode, min_delta):
    if mode == "min":
        return value <= best - min_delta
    return value >= best + min_delta


def forgets_min_delta(value, best, mode, min_delta):
    if mode == "min":
        return value < best
    return value > best


def min_delta_the_wrong_way(value, best, mode, min_delta):
    if mode == "min":
        return value < best + min_delta
    return value > best - min_delta


# --- early_stopping_update -----------------------------------------------------------------


def _improved(value, best, mode):
    return value < best if mode == "min" else value > best


def stops_one_epoch_late(value, best, wait, patience, mode):
    if _improved(value, best, mode):
        return value, 0, False
    stop = wait >= patience  # tested before this epoch is counted
    return best, wait + 1, stop


def stops_one_epoch_early(value, best, wait, patience, mode):
    if _improved(value, best, mode):
        return value, 0, False
    wait += 1
    return best, wait, wait + 1 >= patience


def never_resets_the_wait(value, best, wait, patience, mode):
    if _improved(value, best, mode):
        best = value
    else:
        wait += 1
    return best, wait, wait >= patience


def compares_with_the_last_epoch(value, best, wait, patience, mode):
    improved = _improved(value, best, mode)
    wait = 0 if improved else wait + 1
    return value, wait, wait >= patience


def stops_on_a_rising_accuracy(value, best, wait, patience, mode):
    if value < best:
        return value, 0, False
    return best, wait + 1, wait + 1 >= patience


def a_tie_resets_the_wait(value, best, wait, patience, mode):
    if value <= best if mode == "min" else value >= best:
        return value, 0, False
    return best, wait + 1, wait + 1 >= patience


# --- step_decay ----------------------------------------------------------------------------


def counts_epochs_from_one(epoch, lr, drop, epochs_per_drop):
    if (epoch + 1) % epochs_per_drop == 0:
        return lr * drop
    return lr


def drops_at_epoch_zero(epoch, lr, drop, epochs_per_drop):
    if epoch % epochs_per_drop == 0:
        return lr * drop
    return lr


def closed_form_on_the_current_rate(epoch, lr, drop, epochs_per_drop):
    return lr * drop ** math.floor(epoch / epochs_per_drop)


def drops_every_epoch_after_k(epoch, lr, drop, epochs_per_drop):
    return lr * drop if epoch >= epochs_per_drop else lr


# --- keep_best -----------------------------------------------------------------------------


def keeps_every_epoch(value, best, best_weights, weights, mode):
    return value, [w.copy() for w in weights]


def keeps_the_lowest_accuracy(value, best, best_weights, weights, mode):
    if value < best:
        return value, [w.copy() for w in weights]
    return best, best_weights


def keeps_ties(value, best, best_weights, weights, mode):
    if (value <= best) if mode == "min" else (value >= best):
        return value, [w.copy() for w in weights]
    return best, best_weights


def forgets_the_new_best(value, best, best_weights, weights, mode):
    if _improved(value, best, mode):
        best_weights = [w.copy() for w in weights]
    return best, best_weights


def keeps_a_reference(value, best, best_weights, weights, mode):
    if _improved(value, best, mode):
        return value, weights
    return best, best_weights


def keeps_references_to_each_array(value, best, best_weights, weights, mode):
    if _improved(value, best, mode):
        return value, list(weights)  # a new list, of the same arrays
    return best, best_weights


# --- log_uniform ---------------------------------------------------------------------------


def uniform_on_the_rate(rng, low, high, n):
    return rng.uniform(low, high, size=n)


def exp_of_decimal_logs(rng, low, high, n):
    return np.exp(rng.uniform(np.log10(low), np.log10(high), size=n))


def power_of_ten_of_natural_logs(rng, low, high, n):
    return 10 ** rng.uniform(np.log(low), np.log(high), size=n)


def bounds_taken_as_exponents(rng, low, high, n):
    return np.power(10.0, rng.uniform(low, high, size=n))


def uses_the_global_generator(rng, low, high, n):
    return np.exp(np.random.default_rng(12345).uniform(np.log(low), np.log(high), size=n))


# key -> (exercise, a wrong function that earns its hint, a different one that does not)
HINT_PAIRS = {
    f"{SET}/improves: always min": (IMPROVES, minimises_everything, counts_ties),
    f"{SET}/improves: ties": (IMPROVES, counts_ties, minimises_everything),
    f"{SET}/improves: no min_delta": (IMPROVES, forgets_min_delta, min_delta_the_wrong_way),
    f"{SET}/improves: min_delta reversed": (IMPROVES, min_delta_the_wrong_way, counts_ties),
    f"{SET}/early_stopping_update: one late": (
        EARLY_STOPPING_UPDATE,
        stops_one_epoch_late,
        stops_one_epoch_early,
    ),
    f"{SET}/early_stopping_update: one early": (
        EARLY_STOPPING_UPDATE,
        stops_one_epoch_early,
        stops_one_epoch_late,
    ),
    f"{SET}/early_stopping_update: no reset": (
        EARLY_STOPPING_UPDATE,
        never_resets_the_wait,
        compares_with_the_last_epoch,
    ),
    f"{SET}/early_stopping_update: last value": (
        EARLY_STOPPING_UPDATE,
        compares_with_the_last_epoch,
        never_resets_the_wait,
    ),
    f"{SET}/early_stopping_update: always min": (
        EARLY_STOPPING_UPDATE,
        stops_on_a_rising_accuracy,
        a_tie_resets_the_wait,
    ),
    f"{SET}/early_stopping_update: ties": (
        EARLY_STOPPING_UPDATE,
        a_tie_resets_the_wait,
        stops_on_a_rising_accuracy,
    ),
    f"{SET}/step_decay: counts from 1": (STEP_DECAY, counts_epochs_from_one, drops_at_epoch_zero),
    f"{SET}/step_decay: drops at 0": (STEP_DECAY, drops_at_epoch_zero, counts_epochs_from_one),
    f"{SET}/step_decay: compounded": (
        STEP_DECAY,
        closed_form_on_the_current_rate,
        drops_every_epoch_after_k,
    ),
    f"{SET}/step_decay: every epoch": (
        STEP_DECAY,
        drops_every_epoch_after_k,
        closed_form_on_the_current_rate,
    ),
    f"{SET}/keep_best: always the last": (KEEP_BEST, keeps_every_epoch, keeps_ties),
    f"{SET}/keep_best: always min": (KEEP_BEST, keeps_the_lowest_accuracy, keeps_every_epoch),
    f"{SET}/keep_best: ties": (KEEP_BEST, keeps_ties, forgets_the_new_best),
    f"{SET}/keep_best: best not updated": (KEEP_BEST, forgets_the_new_best, keeps_ties),
    f"{SET}/log_uniform: uniform rate": (LOG_UNIFORM, uniform_on_the_rate, exp_of_decimal_logs),
    f"{SET}/log_uniform: log10 then exp": (
        LOG_UNIFORM,
        exp_of_decimal_logs,
        power_of_ten_of_natural_logs,
    ),
    f"{SET}/log_uniform: ln then 10 **": (
        LOG_UNIFORM,
        power_of_ten_of_natural_logs,
        exp_of_decimal_logs,
    ),
    f"{SET}/log_uniform: bounds as exponents": (
        LOG_UNIFORM,
        bounds_taken_as_exponents,
        uniform_on_the_rate,
    ),
}


# --- What check says -----------------------------------------------------------------------


@pytest.mark.parametrize("keeper", [keeps_a_reference, keeps_references_to_each_array])
def test_kept_weights_that_are_references_are_named_after_the_public_cases_pass(keeper):
    text = checked("keep_best", keeper)
    assert "keep_best: all 6 public cases pass" in text, text
    assert "the kept weights changed when training changed the model's" in text
    assert "[w.copy() for w in weights]" in text and text.count("hint: ") == 1


def test_copies_say_nothing_more_and_a_failing_keeper_gets_no_copy_message():
    assert checked("keep_best", reference_keep_best) == "keep_best: all 6 public cases pass"
    assert kept_copies(reference_keep_best) is None
    text = checked("keep_best", keeps_every_epoch)
    assert "public case 2 of 6 fails" in text and "kept weights changed" not in text


def test_a_generator_used_up_is_not_a_changed_input_but_the_wrong_generator_fails():
    assert checked("log_uniform", reference_log_uniform) == "log_uniform: all 3 public cases pass"
    text = checked("log_uniform", uses_the_global_generator)
    assert "public case 1 of 3 fails" in text and "changed its input" not in text
    assert "rng: np.random.default_rng(0)" in text  # the case shows how to make its generator


@pytest.mark.parametrize(
    "other_way",
    [
        lambda rng, low, high, n: 10 ** rng.uniform(np.log10(low), np.log10(high), size=n),
        lambda rng, low, high, n: low * (high / low) ** rng.uniform(size=n),
        lambda rng, low, high, n: np.exp(np.log(low) + rng.random(n) * np.log(high / low)),
    ],
)
def test_other_correct_ways_of_drawing_pass_the_public_cases(other_way):
    assert checked("log_uniform", other_way) == "log_uniform: all 3 public cases pass"


def test_check_says_not_attempted_and_refuses_what_is_not_a_function():
    def step_decay_stub(epoch, lr, drop, epochs_per_drop):
        raise NotImplementedError("step_decay: your code here")

    assert checked("step_decay", step_decay_stub) == "step_decay: not attempted yet"
    with pytest.raises(TypeError, match="the second argument must be your function"):
        check("keep_best", "keep_best")
    with pytest.raises(ValueError, match="Did you mean 'improves'"):
        check("improve", step_decay_stub)


# --- The public cases ----------------------------------------------------------------------


def test_the_worked_examples_have_the_numbers_the_notebook_quotes():
    assert reference_improves(0.48, 0.5, "min", 0.05) is False
    assert reference_improves(0.96, 0.9, "max", 0.05) is True
    assert reference_early_stopping_update(0.46, 0.45, 1, 2, "min") == (0.45, 2, True)
    assert reference_epochs_run([0.50, 0.45, 0.47, 0.46, 0.40], 2, "min") == 4
    rates, lr = [], 0.1
    for epoch in range(9):
        lr = reference_step_decay(epoch, lr, 0.5, 3)
        rates.append(lr)
    assert np.allclose(rates, [0.1] * 3 + [0.05] * 3 + [0.025] * 3, rtol=1e-15, atol=0)
    samples = reference_log_uniform(np.random.default_rng(1), 1.0, 100.0, 3)
    assert np.allclose(samples, [10.559497, 79.602626, 1.942313], rtol=0, atol=5e-7)
    first = reference_log_uniform(np.random.default_rng(0), 1e-4, 0.1, 5)
    assert np.allclose(first, [0.008145, 0.000645, 0.000133, 0.000112, 0.027530], atol=5e-7)
    third = LOG_UNIFORM.cases[2].expected
    assert np.allclose(third, [0.599409, 0.614929, 0.879177, 0.532892], rtol=0, atol=5e-7)


@pytest.mark.parametrize(
    ("exercise", "reference"),
    [
        (IMPROVES, reference_improves),
        (EARLY_STOPPING_UPDATE, reference_early_stopping_update),
        (STEP_DECAY, reference_step_decay),
        (KEEP_BEST, reference_keep_best),
        (LOG_UNIFORM, reference_log_uniform),
    ],
    ids=lambda value: getattr(value, "name", ""),
)
def test_the_hand_worked_cases_agree_with_the_reference(exercise, reference):
    for case in exercise.cases:
        assert checked(exercise.name, reference).endswith("public cases pass")
        got = reference(*copy.deepcopy(case.args))
        if isinstance(case.expected, tuple):
            for a, b in zip(got, case.expected, strict=True):
                assert np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float),
                                   rtol=1e-12, atol=0), case.about  # fmt: skip
        else:
            assert np.allclose(got, case.expected, rtol=1e-12, atol=0), case.about


def test_improves_is_the_library_monitors_rule():
    from byhand.callbacks.monitor import Monitor

    rng = np.random.default_rng(0)
    for mode in ("min", "max"):
        for min_delta in (0.0, 0.05):
            watch = Monitor("test", "val_loss", mode, min_delta)
            for value, best in rng.uniform(0, 1, size=(200, 2)).round(2):
                expected = watch.improves(value, best)
                assert reference_improves(value, best, mode, min_delta) == expected


def test_early_stopping_stops_where_the_librarys_early_stopping_stops():
    """On recorded runs and on the real small runs of the hidden tests (epochs run)."""
    rng = np.random.default_rng(1)
    for _ in range(50):
        values = (1 / np.arange(1, 21) + 0.05 * rng.normal(size=20)).round(3).tolist()
        patience = int(rng.integers(0, 5))
        ours = reference_epochs_run(values, patience, "min")

        class Replay:  # the library's callback, fed the recorded values
            stop_training = False

        library = EarlyStopping(monitor="v", patience=patience)
        library.set_model(Replay())
        library.on_train_begin()
        theirs = len(values)
        for epoch, value in enumerate(values):
            library.on_epoch_end(epoch, {"v": value})
            if library.model.stop_training:
                theirs = epoch + 1
                break
        assert ours == theirs, (values, patience)
    for seed, patience in ((1, 2), (2, 1), (2, 3), (5, 2)):
        _, full, _ = training_run(seed, 15)
        _, stopped, _ = training_run(seed, 15, callbacks=[EarlyStopping(patience=patience)])
        assert reference_epochs_run(full.history["val_loss"], patience, "min") == len(stopped.epoch)
        assert len(stopped.epoch) < 15  # each run stops early: the test sees a stop


def test_the_step_decay_is_the_librarys_step_decay():
    from byhand.schedules import StepDecay

    schedule = StepDecay(0.4, drop_rate=0.3, steps_per_drop=2)
    lr = 0.4
    for epoch in range(9):
        lr = reference_step_decay(epoch, lr, 0.3, 2)
        assert math.isclose(lr, float(schedule(epoch)), rel_tol=1e-12)


def test_the_training_runs_of_the_hidden_tests_have_an_earlier_best_epoch():
    """fit_keeping_the_best would pass by keeping the last weights if the last were best."""
    for seed, epochs in ((0, 12), (4, 12), (3, 10)):
        _, history, _ = training_run(seed, epochs)
        losses = history.history["val_loss"]
        assert int(np.argmin(losses)) < epochs - 1
        assert losses[-1] - min(losses) > 1e-3  # far above the tests' rtol 1e-6


# --- The grader's scan: Callback is allowed, EarlyStopping is not ---------------------------


def test_the_notebooks_callbacks_and_helpers_are_not_flagged():
    tests = load_tests(HIDDEN)
    for folder in ("solutions", "exercises"):
        cells = [c.source for c in nbformat.read(ROOT / folder / f"{SET}.ipynb", 4).cells
                 if c.cell_type == "code"]  # fmt: skip
        assert "class PatientStopping(Callback):" in "\n".join(cells)
        assert uses_of_answers(cells, tests) == {}


def test_a_callback_built_on_the_librarys_early_stopping_is_flagged():
    tests = load_tests(HIDDEN)
    cells = [
        "import math\nfrom byhand.callbacks import Callback, EarlyStopping\n",
        "def early_stopping_update(value, best, wait, patience, mode):\n"
        "    stopper = EarlyStopping(patience=patience)\n"
        "    return best, wait, False\n",
        "class Mine(Callback):\n"
        "    def on_epoch_end(self, epoch, logs=None):\n"
        "        early_stopping_update(1.0, 2.0, 0, 1, 'min')\n",
        "def stopping_epochs(values, patience, mode):\n    return len(values) if Mine() else 0\n",
        "import byhand.schedules as s\n"
        "def step_decay(epoch, lr, drop, epochs_per_drop):\n"
        "    return s.StepDecay(lr, drop, epochs_per_drop)(epoch)\n",
        "from scipy.stats import loguniform\n"
        "def log_uniform(rng, low, high, n):\n"
        "    return loguniform(low, high).rvs(n, random_state=rng)\n",
    ]
    flagged = uses_of_answers(cells, tests)
    assert set(flagged) == {
        "early_stopping_update",
        "Mine",
        "stopping_epochs",
        "step_decay",
        "log_uniform",
    }
    assert flagged["early_stopping_update"] == ["byhand.callbacks.EarlyStopping"]


# --- The hidden tests ----------------------------------------------------------------------

GO_BETWEENS = {
    "early_stopping_update": ("stopping_epochs", "fit_with_patient_stopping"),
    "step_decay": ("rates_during_fit",),
    "keep_best": ("replay_keep_best", "fit_keeping_the_best"),
    "log_uniform": ("log_uniform_from_seed",),
}


def hidden_score(name, function):
    """The hidden points of exercise `name` for `function`, run through the solutions' helpers."""
    namespace = notebook_namespace(ROOT / "solutions" / f"{SET}.ipynb")
    namespace[name] = function  # the go-betweens look the name up in the namespace itself
    return set_tools.hidden_score(HIDDEN, name, function, namespace, quiet=True)


WRONG = [(exercise.name, earns) for exercise, earns, _ in HINT_PAIRS.values()] + [
    ("keep_best", keeps_a_reference),
    ("keep_best", keeps_references_to_each_array),
    ("log_uniform", uses_the_global_generator),
]


@pytest.mark.parametrize(("name", "wrong"), WRONG, ids=lambda v: getattr(v, "__name__", v))
def test_every_wrong_function_loses_hidden_points(name, wrong):
    earned, possible, results = hidden_score(name, wrong)
    assert earned < possible, f"{wrong.__name__} earns full marks for {name}"
    for result in results:  # what the student reads names no hidden input or value
        assert "expected:" not in result.message and "received:" not in result.message


def test_a_reference_keeper_loses_the_replay_and_keeps_the_rest():
    _, _, results = hidden_score("keep_best", keeps_a_reference)
    lost = {r.name for r in results if not r.passed}
    assert lost == {"test_keep_best_keeps_copies_while_training_goes_on"}


@pytest.mark.parametrize(
    ("name", "returns_inputs"),
    [
        ("improves", lambda value, best, mode, min_delta: value),
        ("early_stopping_update", lambda value, best, wait, patience, mode: (best, wait, False)),
        ("step_decay", lambda epoch, lr, drop, epochs_per_drop: lr),
        ("keep_best", lambda value, best, best_weights, weights, mode: (best, best_weights)),
        ("log_uniform", lambda rng, low, high, n: np.full(n, low)),
    ],
)
def test_returning_the_inputs_or_the_state_unchanged_earns_nothing(name, returns_inputs):
    earned, _, _ = hidden_score(name, returns_inputs)
    assert earned == 0


def test_answer_modules_name_the_library_that_implements_the_answers_but_not_callback():
    (test, *_) = load_tests(HIDDEN)
    banned = ("byhand.callbacks.early_stopping", "byhand.callbacks.EarlyStopping",
              "byhand.callbacks.model_checkpoint", "byhand.schedules", "scipy.stats")  # fmt: skip
    for module in banned:
        assert module in test.answer_modules
    for allowed in ("byhand.callbacks", "byhand.callbacks.callback", "byhand.exercises"):
        assert allowed not in test.answer_modules
