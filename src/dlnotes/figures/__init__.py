"""Figure modules: each defines compute_* functions that return data and draw_* functions that plot it."""
