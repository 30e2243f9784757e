"""Figure of the chapter "a historical review": the milestones of 2012-2020 on one time axis."""
from __future__ import annotations

from dataclasses import dataclass

from dlnotes.history import FIELDS, MILESTONES


@dataclass(frozen=True)
class Timeline:
    names: tuple[str, ...]      # one label per milestone, in date order
    dates: tuple[float, ...]    # x positions in years: inside the milestone's year, spread by month
    fields: tuple[str, ...]     # each milestone's field, one of field_order
    levels: tuple[int, ...]     # label height in rows: +1, +2 above the axis, -1, -2 below
    field_order: tuple[str, ...]
    first_year: int
    last_year: int


def stagger_levels(dates, widths, *, pad: float, order=(1, -1, 2, -2, 3, -3, 4, -4)) -> tuple[int, ...]:
    """Give each label (centred on its date, `widths` in years) the first level in `order` where it is free.

    Free means: no label on the same level overlaps it (with `pad` between them), and its stem, the
    line from the axis to the label, does not run through a label nearer the axis on the same side.
    Dates must be sorted.
    """
    placed: list[tuple[float, float, float, int]] = []       # (date, left, right, level)
    for date, width in zip(dates, widths):
        left, right = date - width / 2, date + width / 2
        for level in order:
            same_row = any(lvl == level and left < r + pad and l - pad < right for _, l, r, lvl in placed)
            crossed = any(lvl * level > 0 and abs(lvl) < abs(level) and l - pad < date < r + pad
                          for _, l, r, lvl in placed)
            blocks = any(lvl * level > 0 and abs(lvl) > abs(level) and left - pad < d < right + pad
                         for d, _, _, lvl in placed)
            if not (same_row or crossed or blocks):
                placed.append((date, left, right, level))
                break
        else:
            raise ValueError(f"no free level for the label at {date:.2f}")
    return tuple(level for *_, level in placed)


def year_positions(milestones) -> tuple[float, ...]:
    """Place each milestone inside its own year: alone in the middle, several spread in month order."""
    positions = []
    for milestone in milestones:
        same_year = sorted((m for m in milestones if m.year == milestone.year), key=lambda m: m.month)
        rank = same_year.index(milestone)
        positions.append(milestone.year + (rank + 1) / (len(same_year) + 1))
    return tuple(positions)


def compute_history_timeline(*, years_per_char: float, label_pad: float) -> Timeline:
    """Milestones in date order, with label levels chosen so that no two labels overlap."""
    milestones = sorted(MILESTONES, key=lambda m: (m.year, m.month))
    dates = year_positions(milestones)
    widths = [years_per_char * len(m.name) for m in milestones]
    return Timeline(names=tuple(m.name for m in milestones), dates=dates,
                    fields=tuple(m.field for m in milestones),
                    levels=stagger_levels(dates, widths, pad=label_pad),
                    field_order=FIELDS, first_year=min(m.year for m in milestones),
                    last_year=max(m.year for m in milestones))


def draw_history_timeline(ax, data: Timeline) -> None:
    colors = {field: f"C{i}" for i, field in enumerate(data.field_order)}
    for name, date, field, level in zip(data.names, data.dates, data.fields, data.levels):
        color = colors[field]
        tip = level - 0.32 if level > 0 else level + 0.32      # the stem stops just short of the label
        ax.plot([date, date], [0, tip], color=color, linewidth=1.2)
        ax.plot(date, 0, "o", color=color, markersize=6, zorder=3)
        ax.text(date, level, name, color=color, ha="center", va="center", fontsize=10, fontweight="bold")
    for field in data.field_order:          # legend entries in a fixed order, one per field
        ax.plot([], [], "o", color=colors[field], label=field)
    ax.axhline(0, color="0.55", linewidth=1.0, zorder=1)
    # A year is a span: faint lines mark where years begin, the year's label sits in its middle.
    ax.set_xticks(range(data.first_year, data.last_year + 2), labels=[])
    ax.set_xticks([y + 0.5 for y in range(data.first_year, data.last_year + 1)],
                  labels=[str(y) for y in range(data.first_year, data.last_year + 1)], minor=True)
    ax.tick_params(axis="x", which="minor", length=0)
    ax.grid(True, axis="x", which="major")
    ax.grid(False, axis="y")
    ax.set(xlim=(data.first_year - 0.1, data.last_year + 1.1), yticks=[],
           ylim=(min(data.levels) - 0.5, max(data.levels) + 0.5))
    ax.spines[["left", "top", "right"]].set_visible(False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, fontsize=8, handletextpad=0.3)
