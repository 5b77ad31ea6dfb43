"""Horizontal bar charts drawn on the server as inline SVG: no JavaScript, nothing third-party.

`bar_chart()` only does geometry; templates/charts/_bar_chart.html draws it and repeats the
figures in a table, because an SVG with role="img" is one picture to a screen reader.

Each row is a label line with its bar underneath and the figure written after the bar, so long
names (“Province du Brabant wallon”) never collide with the bars and nothing depends on colour.
The SVG has no viewBox: heights are CSS pixels and widths percentages, so the text keeps its size
on a phone while the bars stretch with the page. Coordinates are preformatted strings: a float in
a template would be localised (“12,5” on the French pages) and break the SVG.
"""

from dataclasses import dataclass

LABEL_LINE = 18  # label baseline below the row's top, in CSS pixels
BAR_TOP = 25  # bar top below the row's top
BAR_HEIGHT = 18
ROW_HEIGHT = 52
LONGEST_BAR = 80  # percent of the width; the rest leaves room for the figure


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    label_y: str
    bar_y: str
    percent: str
    value_y: str


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    label_heading: str
    value_heading: str
    bars: list[Bar]
    height: str
    bar_height: str = str(BAR_HEIGHT)

    @property
    def total(self) -> int:
        return sum(bar.value for bar in self.bars)


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def bar_chart(id: str, title: str, rows, *, label_heading: str, value_heading: str) -> BarChart:
    """A chart of (label, value) rows, in the order given; the longest bar is the largest value.
    `id` must be unique on the page: it links the SVG to its title."""
    rows = [(str(label), int(value)) for label, value in rows]
    largest = max((value for _label, value in rows), default=0) or 1
    bars = [
        Bar(
            label=label,
            value=value,
            label_y=str(n * ROW_HEIGHT + LABEL_LINE),
            bar_y=str(n * ROW_HEIGHT + BAR_TOP),
            percent=_number(LONGEST_BAR * value / largest),
            value_y=str(n * ROW_HEIGHT + BAR_TOP + BAR_HEIGHT - 4),
        )
        for n, (label, value) in enumerate(rows)
    ]
    return BarChart(
        id=id,
        title=str(title),
        label_heading=str(label_heading),
        value_heading=str(value_heading),
        bars=bars,
        height=str(max(len(rows), 1) * ROW_HEIGHT),
    )
