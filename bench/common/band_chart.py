"""One SVG chart of several series, each a median line inside its min-max band over seeds.

Written by hand, because the benchmark scripts use only Python's standard library.
"""

LEFT, RIGHT, TOP, BOTTOM = 70, 20, 40, 50


def write_band_chart(path, title, series, colours, x_label, y_label, x_max, y_low, y_high,
                     x_tick=lambda v: f"{v:.0f}", y_tick=lambda v: f"{v:.0f}", legend="top",
                     size=(640, 400)):
    """series: {name: (xs, medians, lows, highs)}, drawn in name order, x from 0 to x_max and
    y from y_low to y_high; x_tick and y_tick format the six labels of each axis; legend is
    "top" or "bottom", the right-hand corner it goes in."""
    width, height = size
    x_max = x_max or 1
    y_high = y_high if y_high > y_low else y_low + 1

    def x(v):
        return LEFT + (width - LEFT - RIGHT) * v / x_max

    def y(v):
        return TOP + (height - TOP - BOTTOM) * (1 - (v - y_low) / (y_high - y_low))

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'font-family="sans-serif" font-size="12">',
             f'<rect width="{width}" height="{height}" fill="white"/>',
             f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="14">{title}</text>']
    for k in range(6):
        v = y_low + (y_high - y_low) * k / 5
        parts.append(f'<line x1="{LEFT}" x2="{width - RIGHT}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
                     f'stroke="#eeeeee"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{y_tick(v)}</text>')
        t = x_max * k / 5
        parts.append(f'<text x="{x(t):.1f}" y="{height - BOTTOM + 18}" '
                     f'text-anchor="middle">{x_tick(t)}</text>')
    middle = (TOP + height - BOTTOM) / 2
    parts.append(f'<text x="{(LEFT + width - RIGHT) / 2}" y="{height - 12}" '
                 f'text-anchor="middle">{x_label}</text>')
    parts.append(f'<text x="16" y="{middle}" text-anchor="middle" '
                 f'transform="rotate(-90 16 {middle})">{y_label}</text>')
    parts.append(f'<rect x="{LEFT}" y="{TOP}" width="{width - LEFT - RIGHT}" '
                 f'height="{height - TOP - BOTTOM}" fill="none" stroke="black"/>')
    for n, (name, (xs, median, low, high)) in enumerate(sorted(series.items())):
        colour = colours.get(name, "#000000")
        band = [f"{x(t):.1f},{y(v):.1f}" for t, v in zip(xs, high)]
        band += [f"{x(t):.1f},{y(v):.1f}" for t, v in reversed(list(zip(xs, low)))]
        parts.append(f'<polygon points="{" ".join(band)}" fill="{colour}" opacity="0.15"/>')
        line = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in zip(xs, median))
        parts.append(f'<polyline points="{line}" fill="none" stroke="{colour}" '
                     f'stroke-width="2"/>')
        row = TOP + 20 + 18 * n if legend == "top" else height - BOTTOM - 20 - 18 * n
        parts.append(f'<line x1="{width - RIGHT - 190}" x2="{width - RIGHT - 165}" '
                     f'y1="{row}" y2="{row}" stroke="{colour}" stroke-width="2"/>')
        parts.append(f'<text x="{width - RIGHT - 160}" y="{row + 4}">{name} (median, range)</text>')
    parts.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(parts) + "\n")
