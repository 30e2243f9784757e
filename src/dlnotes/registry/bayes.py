"""Figures of the chapter on Bayes' theorem and causality."""
from dlnotes.spec import FigureSpec, Knob

_COIN = dict(seed=0, bias=0.7, level=0.95, grid_size=2000)

FIGURES = (
    FigureSpec(name="bayes-coin-updating", compute="dlnotes.figures.bayes:compute_coin_updating",
               draw="dlnotes.figures.bayes:draw_coin_updating",
               settings=dict(_COIN, n_flips=200, prior=(1.0, 1.0), shown=(0, 1, 2, 5, 10, 50, 200)),
               size=(7.2, 3.6), panels=(1, 2)),
    # Explorable: the same coin, flipped on to 1000 times, under the prior Beta(a, b) the reader picks; the
    # first 200 flips are those of bayes-coin-updating.
    FigureSpec(name="bayes-prior-strength", compute="dlnotes.figures.bayes:compute_prior_strength",
               draw="dlnotes.figures.bayes:draw_prior_strength",
               settings=dict(_COIN, n_flips=1000, a=10, b=10, shown=(0, 10, 100, 1000)),
               size=(7.2, 4.4), panels=(1, 2),
               explore=(Knob("a", (1, 10, 50), value_text="a = {}",
                             label={"ko": "사전분포의 a (상상한 앞면)", "en": "prior a (imagined heads)"}),
                        Knob("b", (1, 10, 50), value_text="b = {}",
                             label={"ko": "사전분포의 b (상상한 뒷면)", "en": "prior b (imagined tails)"}))),
    FigureSpec(name="bayes-simpson", compute="dlnotes.figures.bayes:compute_simpson",
               draw="dlnotes.figures.bayes:draw_simpson", size=(7.2, 3.6), panels=(1, 2)),
)
