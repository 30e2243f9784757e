"""Figures of the chapter "a historical review"."""
from dlnotes.spec import FigureSpec

FIGURES = (
    # years_per_char: the width of one bold 10 pt character in years at this size (7.2 in for ~10 years)
    FigureSpec(name="history-timeline", compute="dlnotes.figures.history:compute_history_timeline",
               draw="dlnotes.figures.history:draw_history_timeline",
               settings=dict(years_per_char=0.14, label_pad=0.1), size=(7.2, 3.0)),
)
