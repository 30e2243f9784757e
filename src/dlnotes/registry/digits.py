"""Figures of the chapter on an MLP for handwritten digits."""
from dlnotes.spec import FigureSpec

# The page's run: train_mlp's defaults (MLP 64-128-10, Adam, batch 64) with these seed and epochs.
# Each figure trains it once, in its own process (about 1-2 s on one thread).
_RUN = dict(seed=0, epochs=30)

FIGURES = (
    FigureSpec(name="digits-curves", compute="dlnotes.figures.digits:compute_curves",
               draw="dlnotes.figures.digits:draw_curves", settings=_RUN, size=(7.2, 3.2), panels=(1, 2)),
    FigureSpec(name="digits-confusion", compute="dlnotes.figures.digits:compute_confusion",
               draw="dlnotes.figures.digits:draw_confusion", settings=dict(_RUN, n_shown=8),
               size=(7.2, 3.6), panels=(1, 2)),
)
