"""Figures of the chapter on Bayes' theorem and causality."""
from dlnotes.spec import FigureSpec

FIGURES = (
    FigureSpec(name="bayes-coin-updating", compute="dlnotes.figures.bayes:compute_coin_updating",
               draw="dlnotes.figures.bayes:draw_coin_updating",
               settings=dict(seed=0, bias=0.7, n_flips=200, prior=(1.0, 1.0), shown=(0, 1, 2, 5, 10, 50, 200),
                             level=0.95, grid_size=2000),
               size=(7.2, 3.6), panels=(1, 2)),
    FigureSpec(name="bayes-simpson", compute="dlnotes.figures.bayes:compute_simpson",
               draw="dlnotes.figures.bayes:draw_simpson", size=(7.2, 3.6), panels=(1, 2)),
)
