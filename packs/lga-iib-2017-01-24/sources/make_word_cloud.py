"""Draw the word cloud of the Highlighting Leadership report (item 5, paragraph 9):
the words of the councillors' survey answers, as the report sums them up in
paragraph 10, each drawn the larger the more often it was used.

Reads paragraph 10 of sources/reports/05-highlighting-leadership.md and
writes sources/word-cloud.png (the same bytes every run: no randomness, the
shipped Liberation Sans).  make_reports.py puts the picture in the Word report.
Run from the pack folder:

    ../../.venv/bin/python sources/make_word_cloud.py
"""

import math
import re
from collections import Counter
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

PACK = Path(__file__).resolve().parent.parent
REPORT = PACK / "sources" / "reports" / "05-highlighting-leadership.md"
TARGET = PACK / "sources" / "word-cloud.png"
FONT = PACK.parent.parent / "assets" / "fonts" / "LiberationSans-Bold.ttf"
SIZE = (1600, 760)
COLOURS = ["#004b6e", "#0b7a8f", "#5a8f29", "#7a4a8c", "#b3541e"]
COMMON = set("""a about after all also an and any are as at be been being both but by can
did do does for from had has have how i if in into is it its more most not of on or our
so such than that the their them then there these they this to was we were what when which
who will with would you your per cent said due regarding within area
ninety five eight ten out below detailed either having summary initial findings""".split())


def words():
    """The 60 words used most in the answers, with how often (most used first)."""
    text = REPORT.read_text(encoding="utf-8")
    findings = text.split("A summary of initial findings", 1)[1].split("\n11.", 1)[0]
    counts = Counter(word for word in re.findall(r"[a-z]+", findings.lower()) if word not in COMMON and len(word) > 2)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:60]


def draw():
    found = words()
    most = found[0][1]
    image = Image.new("RGB", SIZE, "white")
    canvas = ImageDraw.Draw(image)
    placed = []
    centre = (SIZE[0] / 2, SIZE[1] / 2)
    for rank, (word, count) in enumerate(found):
        font = ImageFont.truetype(str(FONT), int(30 + 70 * (count - 1) / max(most - 1, 1)))
        left, top, right, bottom = canvas.textbbox((0, 0), word, font=font)
        width, height = right - left + 12, bottom - top + 8
        for step in range(4000):  # out along a spiral from the middle to the first free place
            angle = step * 0.21 + rank
            x = centre[0] + 5.6 * step ** 0.5 * math.cos(angle) * 1.9 - width / 2
            y = centre[1] + 5.6 * step ** 0.5 * math.sin(angle) - height / 2
            box = (x, y, x + width, y + height)
            inside = box[0] >= 8 and box[1] >= 8 and box[2] <= SIZE[0] - 8 and box[3] <= SIZE[1] - 8
            if inside and not any(box[0] < b[2] and box[2] > b[0] and box[1] < b[3] and box[3] > b[1] for b in placed):
                placed.append(box)
                canvas.text((x + 6 - left, y + 4 - top), word, font=font, fill=COLOURS[rank % len(COLOURS)])
                break
    edges = [min(b[0] for b in placed), min(b[1] for b in placed), max(b[2] for b in placed), max(b[3] for b in placed)]
    image.crop(tuple(int(value) for value in edges)).save(TARGET, optimize=False)
    return TARGET


if __name__ == "__main__":
    print("wrote", draw().relative_to(PACK))
