import pytest

from statkit.utils._plotting import BaseDisplay, check_matplotlib_support

pytest.importorskip("matplotlib")


class LineDisplay(BaseDisplay):
    def __init__(self, values):
        self.values = values

    def plot(self, ax=None):
        ax = self._prepare_axes(ax)
        (self.line_,) = ax.plot(self.values)
        return self


def test_display_creates_axes_when_none_given():
    import matplotlib.pyplot as plt

    display = LineDisplay([1, 2, 3]).plot()
    assert display.figure_ is display.ax_.figure
    assert list(display.line_.get_ydata()) == [1, 2, 3]
    plt.close(display.figure_)


def test_display_draws_on_given_axes():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    display = LineDisplay([3, 2]).plot(ax=ax)
    assert display.ax_ is ax
    assert display.figure_ is fig
    plt.close(fig)


def test_missing_matplotlib_message(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"LineDisplay.plot requires matplotlib.*statkit\[plot\]"):
        check_matplotlib_support("LineDisplay.plot")
