"""The silhouettes of product pictures: one small drawing per kind of product (a shoe, a mug, a lamp…), and the
choice of kind from a product's category and title.

Each drawing works in the picture's own 400×300 coordinates, standing on the floor at y≈240, and takes its
colours from a `Look` (ui/product_images.py), so that one drawing serves every colour and every product of its
kind. `Look.variant` picks a small detail (a stripe, a pocket, a second colour), so that products of one kind and
colour still look different.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PIL import ImageDraw, ImageFont

from retrieval.catalog import singular

WIDTH, HEIGHT = 400, 300
Point = tuple[float, float]
Box = tuple[float, float, float, float]
WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Look:
    """The colours of one picture: the product's `fill` with its `shade`, `light` and `outline`, an `accent`
    for trims, the `variant` of details (0–3) and the brand's `initial` for a logo."""

    fill: tuple[int, int, int]
    shade: tuple[int, int, int]
    light: tuple[int, int, int]
    outline: tuple[int, int, int]
    accent: tuple[int, int, int]
    metal: tuple[int, int, int]
    variant: int
    initial: str


class Pen:
    """Draws in the picture's 400×300 coordinates on a canvas `scale` times larger (shrunk afterwards, for
    smooth edges), mirrored when `mirror` is set, outlining every filled shape in the look's outline colour."""

    def __init__(self, draw: ImageDraw.ImageDraw, look: Look, scale: int, mirror: bool) -> None:
        self.draw, self.look, self.scale, self.mirror = draw, look, scale, mirror

    def _x(self, x: float) -> float:
        return (WIDTH - x if self.mirror else x) * self.scale

    def _points(self, points: Sequence[Point]) -> list[Point]:
        return [(self._x(x), y * self.scale) for x, y in points]

    def _box(self, box: Box) -> Box:
        x0, y0, x1, y1 = box
        left, right = sorted((self._x(x0), self._x(x1)))
        return left, y0 * self.scale, right, y1 * self.scale

    def _width(self, width: float) -> int:
        return max(1, round(width * self.scale))

    def _filled(self, fill) -> dict:
        """The arguments of a filled shape: `fill` (the product's colour by default), outlined."""
        return {"fill": fill or self.look.fill, "outline": self.look.outline, "width": self._width(2)}

    def poly(self, points: Sequence[Point], fill=None) -> None:
        self.draw.polygon(self._points(points), **self._filled(fill))

    def rect(self, box: Box, fill=None, radius: float = 0) -> None:
        self.draw.rounded_rectangle(self._box(box), radius=radius * self.scale, **self._filled(fill))

    def ellipse(self, box: Box, fill=None) -> None:
        self.draw.ellipse(self._box(box), **self._filled(fill))

    def line(self, points: Sequence[Point], width: float = 2, fill=None) -> None:
        self.draw.line(
            self._points(points), fill=fill or self.look.outline, width=self._width(width), joint="curve"
        )

    def arc(self, box: Box, start: float, end: float, width: float, fill=None) -> None:
        if self.mirror:  # a mirrored angle a is 180 - a, and the sweep runs the other way
            start, end = 180 - end, 180 - start
        self.draw.arc(self._box(box), start, end, fill=fill or self.look.outline, width=self._width(width))

    def pieslice(self, box: Box, start: float, end: float, fill=None) -> None:
        if self.mirror:
            start, end = 180 - end, 180 - start
        self.draw.pieslice(self._box(box), start, end, **self._filled(fill))

    def bar(self, start: Point, end: Point, width: float, fill=None) -> None:
        """A straight bar of `width` from `start` to `end` (a pen, a blade, a handle), outlined."""
        (x0, y0), (x1, y1) = start, end
        length = math.hypot(x1 - x0, y1 - y0) or 1
        nx, ny = -(y1 - y0) / length * width / 2, (x1 - x0) / length * width / 2
        self.poly([(x0 + nx, y0 + ny), (x1 + nx, y1 + ny), (x1 - nx, y1 - ny), (x0 - nx, y0 - ny)], fill)

    def logo(self, x: float, y: float, radius: float = 11) -> None:
        """The brand's initial in a small disc of the accent colour."""
        self.ellipse((x - radius, y - radius, x + radius, y + radius), self.look.accent)
        if not self.look.initial:
            return
        font = ImageFont.load_default(size=round(radius * 1.3 * self.scale))
        dark = sum(self.look.accent) < 380
        self.draw.text(
            (self._x(x), y * self.scale),
            self.look.initial,
            fill=(255, 255, 255) if dark else (30, 30, 30),
            font=font,
            anchor="mm",
        )


def stripes(pen: Pen, x0: float, x1: float, ys: Sequence[float], height: float = 8) -> None:
    for y in ys:
        pen.rect((x0, y, x1, y + height), pen.look.accent)


# The formatter would put every point of these outlines on a line of its own.
# fmt: off


def tshirt(pen: Pen, look: Look) -> None:
    pen.poly([(150, 62), (178, 52), (200, 64), (222, 52), (250, 62), (302, 96), (282, 132), (256, 118),
        (256, 240), (144, 240), (144, 118), (118, 132), (98, 96)])
    pen.ellipse((180, 50, 220, 74), look.shade)
    if look.variant == 1:
        stripes(pen, 145, 255, (140, 170, 200))
    elif look.variant == 2:
        pen.rect((215, 115, 240, 140), look.shade, 3)
    else:
        pen.logo(200, 130)


def jeans(pen: Pen, look: Look) -> None:
    pen.poly([(148, 52), (252, 52), (266, 242), (214, 242), (200, 112), (186, 242), (134, 242)])
    pen.rect((148, 52, 252, 70), look.shade)
    pen.line([(200, 70), (200, 108)])
    pen.arc((150, 55, 190, 100), 0, 90, 2)
    pen.arc((210, 55, 250, 100), 90, 180, 2)
    if look.variant % 2:
        pen.rect((134, 226, 186, 242), look.light)
        pen.rect((214, 226, 266, 242), look.light)
    pen.rect((160, 58, 170, 64), look.metal)


def jacket(pen: Pen, look: Look, hood: bool = False) -> None:
    if hood:
        pen.ellipse((162, 30, 238, 96), look.shade)
    pen.poly([(148, 60), (200, 72), (252, 60), (290, 86), (312, 234), (284, 238), (264, 128), (264, 244),
        (136, 244), (136, 128), (116, 238), (88, 234), (110, 86)])
    pen.line([(200, 74), (200, 244)], 3, look.metal)
    if look.variant % 2:
        pen.rect((150, 175, 185, 215), look.shade, 4)
        pen.rect((215, 175, 250, 215), look.shade, 4)
    else:
        pen.rect((136, 226, 264, 244), look.accent)
    pen.logo(232, 110, 9)


def hoodie(pen: Pen, look: Look) -> None:
    jacket(pen, look, hood=True)
    pen.line([(190, 78), (186, 118)], 2, look.light)
    pen.line([(210, 78), (214, 118)], 2, look.light)


def dress(pen: Pen, look: Look) -> None:
    pen.line([(176, 56), (170, 32)], 4)
    pen.line([(224, 56), (230, 32)], 4)
    pen.poly([(172, 50), (228, 50), (234, 120), (296, 244), (104, 244), (166, 120)])
    pen.rect((166, 114, 234, 128), look.accent if look.variant % 2 else look.shade)
    if look.variant >= 2:
        for x in (140, 175, 210, 245):
            pen.line([(200, 132), (x + 10, 240)], 1.5, look.shade)


def shoe(pen: Pen, look: Look) -> None:
    pen.poly([(92, 206), (96, 160), (128, 150), (172, 120), (208, 118), (226, 150), (292, 168), (318, 194),
        (318, 210), (92, 210)])
    sole = (250, 250, 250) if look.variant % 2 else look.accent
    pen.rect((86, 204, 322, 232), sole, 10)
    for i in range(4):  # the laces
        x = 184 + i * 12
        pen.line([(x, 130 + i * 8), (x + 18, 136 + i * 8)], 3, look.light)
    pen.line(
        [(120, 196), (180, 160), (250, 172), (300, 196)], 5, look.accent if look.variant < 2 else look.light
    )
    pen.logo(140, 178, 9)


def boot(pen: Pen, look: Look) -> None:
    pen.poly([(122, 56), (196, 56), (200, 166), (288, 180), (314, 210), (314, 226), (112, 226), (116, 150)])
    pen.rect((106, 220, 320, 240), look.shade, 6)
    pen.rect((130, 44, 150, 62), look.shade, 4)
    for y in range(74, 160, 18):
        pen.line([(186, y), (204, y + 8)], 3, look.light if look.variant % 2 else look.metal)


def sandal(pen: Pen, look: Look) -> None:
    pen.rect((84, 200, 318, 226), look.shade, 12)
    pen.rect((90, 190, 312, 206), look.light, 8)
    for x, span in ((140, 60), (230, 70)):
        pen.arc((x - span / 2, 140, x + span / 2, 240), 180, 360, 16)
    pen.rect((246, 156, 262, 168), look.metal, 2)


def headphones(pen: Pen, look: Look) -> None:
    pen.arc((108, 46, 292, 236), 180, 360, 18)
    pen.rect((92, 140, 146, 236), look.fill, 20)
    pen.rect((254, 140, 308, 236), look.fill, 20)
    pen.rect((134, 150, 152, 226), look.shade, 8)
    pen.rect((248, 150, 266, 226), look.shade, 8)
    pen.logo(119, 188, 11)


def speaker(pen: Pen, look: Look) -> None:
    pen.rect((138, 56, 262, 244), radius=22)
    pen.ellipse((158, 136, 242, 220), look.shade)
    pen.ellipse((184, 162, 216, 194), look.accent)
    pen.ellipse((184, 78, 216, 110), look.shade)
    if look.variant % 2:
        for y in range(64, 236, 10):
            pen.line([(146, y), (254, y)], 1, look.shade)


def power_bank(pen: Pen, look: Look) -> None:
    pen.rect((126, 84, 274, 222), radius=24)
    pen.rect((142, 100, 258, 206), look.shade, 16)
    for i in range(4):
        fill = look.accent if i <= look.variant else look.light
        pen.ellipse((162 + i * 22, 194, 174 + i * 22, 206), fill)
    pen.logo(200, 144, 14)


def keyboard(pen: Pen, look: Look) -> None:
    pen.rect((56, 122, 344, 224), radius=12)
    for row in range(3):
        for col in range(12):
            x, y = 70 + col * 22.5, 134 + row * 22
            key = look.accent if (row, col) == (0, look.variant) else look.light
            pen.rect((x, y, x + 18, y + 18), key, 3)
    pen.rect((130, 200, 270, 216), look.light, 3)


def bedding(pen: Pen, look: Look) -> None:
    pen.rect((92, 102, 196, 160), look.light, 18)
    pen.rect((204, 102, 308, 160), look.light, 18)
    pen.rect((76, 146, 324, 242), radius=16)
    for y in (176, 208):
        pen.line([(80, y), (320, y)], 2, look.accent if look.variant % 2 else look.shade)


def lamp(pen: Pen, look: Look) -> None:
    pen.rect((192, 150, 208, 228), look.metal)
    pen.ellipse((146, 220, 254, 244), look.metal)
    pen.poly([(152, 58), (248, 58), (282, 152), (118, 152)])
    pen.line([(122, 140), (278, 140)], 4, look.accent if look.variant % 2 else look.shade)


def rug(pen: Pen, look: Look) -> None:
    for y in range(90, 226, 9):
        pen.line([(60, y), (70, y)], 2)
        pen.line([(330, y), (340, y)], 2)
    pen.rect((68, 82, 332, 230))
    pen.rect((86, 98, 314, 214), look.shade)
    pen.rect((100, 110, 300, 202))
    pen.poly([(200, 118), (270, 156), (200, 194), (130, 156)], look.accent)
    if look.variant % 2:
        pen.poly([(200, 136), (236, 156), (200, 176), (164, 156)], look.light)


def candle(pen: Pen, look: Look) -> None:
    pen.ellipse((184, 62, 216, 108), (255, 196, 61))
    pen.ellipse((192, 80, 208, 104), (255, 240, 170))
    pen.line([(200, 104), (200, 116)], 3, (60, 50, 40))
    pen.rect((146, 112, 254, 242), radius=14)
    pen.rect((146, 150, 254, 200), look.light)
    pen.logo(200, 175, 13)


def sofa(pen: Pen, look: Look) -> None:
    pen.rect((84, 96, 316, 182), look.shade, 18)
    pen.rect((70, 156, 330, 214), radius=12)
    pen.rect((56, 126, 104, 222), radius=16)
    pen.rect((296, 126, 344, 222), radius=16)
    pen.line([(200, 160), (200, 212)], 2)
    for x in (84, 306):
        pen.rect((x, 220, x + 12, 240), (90, 70, 50))
    if look.variant % 2:
        pen.rect((112, 126, 162, 168), look.accent, 10)


def desk(pen: Pen, look: Look) -> None:
    pen.rect((86, 132, 98, 244), look.shade)
    pen.rect((302, 132, 314, 244), look.shade)
    pen.rect((226, 132, 306, 184), look.shade, 3)
    pen.rect((66, 116, 334, 134), radius=4)
    pen.line([(252, 158), (280, 158)], 4, look.metal)
    if look.variant % 2:
        pen.rect((120, 70, 200, 112), (40, 44, 52), 4)
        pen.rect((156, 110, 164, 118), (40, 44, 52))


def office_chair(pen: Pen, look: Look) -> None:
    pen.line([(196, 200), (130, 232)], 6, (50, 50, 55))
    pen.line([(204, 200), (270, 232)], 6, (50, 50, 55))
    pen.line([(200, 200), (200, 238)], 6, (50, 50, 55))
    for x in (126, 200, 274):
        pen.ellipse((x - 9, 228, x + 9, 246), (40, 40, 45))
    pen.rect((194, 170, 206, 204), look.metal)
    pen.rect((148, 46, 252, 150), radius=26)
    pen.rect((130, 146, 270, 178), radius=12)
    pen.rect((122, 120, 136, 160), look.shade, 4)
    pen.rect((264, 120, 278, 160), look.shade, 4)
    if look.variant % 2:
        pen.rect((176, 76, 224, 120), look.shade, 12)


def bed(pen: Pen, look: Look) -> None:
    pen.rect((64, 84, 104, 242), radius=8)
    pen.rect((100, 168, 336, 214), (245, 245, 240), 6)
    pen.rect((110, 150, 170, 176), (250, 250, 250), 10)
    pen.rect((160, 160, 336, 212), look.accent, 8)
    pen.rect((96, 206, 340, 228), look.shade, 4)
    pen.rect((320, 226, 332, 242), look.shade)


def mug(pen: Pen, look: Look) -> None:
    pen.arc((214, 116, 292, 206), 270, 450, 16)
    pen.rect((128, 86, 250, 238), radius=14)
    pen.ellipse((128, 76, 250, 100), look.light)
    if look.variant % 2:
        stripes(pen, 129, 249, (200,), 12)
    pen.logo(189, 160, 16)


def cookware(pen: Pen, look: Look) -> None:
    if look.variant % 2:  # a pot with a lid
        pen.rect((96, 150, 124, 164), look.shade, 5)
        pen.rect((276, 150, 304, 164), look.shade, 5)
        pen.rect((114, 124, 286, 232), radius=12)
        pen.ellipse((106, 108, 294, 138), look.shade)
        pen.rect((186, 92, 214, 112), look.accent, 6)
    else:  # a pan with a long handle
        pen.bar((250, 168), (346, 146), 16, look.accent)
        pen.ellipse((68, 124, 268, 222))
        pen.ellipse((86, 136, 250, 206), look.shade)


def knife(pen: Pen, look: Look) -> None:
    pen.poly([(74, 172), (232, 140), (240, 176), (96, 186)], (218, 222, 228))
    pen.line([(96, 178), (232, 150)], 1.5, (250, 250, 252))
    pen.rect((238, 140, 334, 176), radius=10)
    for x in (262, 286, 310):
        pen.ellipse((x - 4, 154, x + 4, 162), look.metal)


def water_bottle(pen: Pen, look: Look) -> None:
    pen.rect((162, 82, 238, 244), radius=26)
    pen.rect((176, 46, 224, 86), look.accent, 8)
    pen.arc((188, 30, 212, 58), 180, 360, 5)
    pen.line([(176, 104), (176, 226)], 4, look.light)
    pen.logo(200, 172, 13)


def jar(pen: Pen, look: Look) -> None:
    pen.rect((128, 138, 272, 238), look.light, 18)
    pen.rect((122, 106, 278, 144), radius=8)
    pen.rect((128, 164, 272, 206), look.accent)
    pen.logo(200, 185, 12)


def perfume(pen: Pen, look: Look) -> None:
    pen.rect((182, 82, 218, 112), look.metal, 3)
    pen.rect((166, 44, 234, 86), look.accent if look.variant % 2 else look.shade, 8)
    pen.rect((136, 108, 264, 242), radius=18)
    pen.rect((154, 122, 170, 226), look.light, 6)
    pen.rect((184, 156, 244, 196), (250, 250, 250), 4)
    pen.logo(214, 176, 10)


def hair_care(pen: Pen, look: Look) -> None:
    pen.rect((192, 40, 208, 70), (235, 235, 235))
    pen.rect((178, 32, 236, 44), (235, 235, 235), 4)
    pen.rect((170, 66, 230, 82), look.accent, 4)
    pen.rect((158, 80, 242, 244), radius=22)
    pen.rect((158, 130, 242, 200), look.light)
    pen.logo(200, 165, 13)


def yoga_mat(pen: Pen, look: Look) -> None:
    if look.variant >= 2:  # half unrolled on the floor
        pen.poly([(70, 236), (250, 236), (300, 206), (128, 206)])
        pen.line([(98, 222), (268, 222)], 2, look.light)
        pen.rect((240, 120, 330, 210), radius=6)
        pen.ellipse((290, 120, 346, 210), look.shade)
        pen.arc((304, 138, 332, 192), 0, 360, 3, look.light)
        pen.logo(268, 165, 12)
        return
    pen.rect((90, 132, 292, 228), radius=6)
    pen.ellipse((262, 132, 322, 228), look.shade)
    pen.arc((276, 150, 308, 210), 0, 360, 3, look.light)
    pen.arc((286, 168, 298, 192), 0, 360, 3, look.light)
    for x in (130, 236):
        pen.rect((x, 128, x + 12, 232), look.accent, 3)
    pen.logo(190, 180, 13)
    if look.variant % 2:
        stripes(pen, 91, 262, (212,), 5)


def dumbbell(pen: Pen, look: Look) -> None:
    pen.rect((126, 164, 274, 182), look.metal, 4)
    for x0, x1 in ((92, 130), (270, 308)):
        pen.rect((x0, 118, x1, 228), radius=8)
    for x0, x1 in ((74, 96), (304, 326)):
        pen.rect((x0, 136, x1, 210), look.shade, 6)


def tent(pen: Pen, look: Look) -> None:
    pen.line([(70, 240), (200, 66), (330, 240)], 2, (120, 110, 100))
    pen.poly([(84, 238), (200, 74), (316, 238)])
    pen.poly([(166, 238), (200, 130), (234, 238)], look.shade)
    pen.line([(200, 74), (200, 130)], 3, look.accent)
    pen.line([(60, 242), (340, 242)], 3, (120, 110, 100))


def brick(pen: Pen, look: Look) -> None:
    for x in (126, 166, 206, 246):
        pen.rect((x, 118, x + 28, 138), look.fill, 4)
    pen.rect((112, 132, 288, 234), radius=6)
    pen.rect((176, 80, 276, 120), look.accent, 4)
    for x in (186, 226):
        pen.rect((x, 66, x + 28, 84), look.accent, 4)


def plush(pen: Pen, look: Look) -> None:
    for box in ((150, 44, 186, 80), (214, 44, 250, 80)):
        pen.ellipse(box)
    pen.ellipse((138, 136, 262, 244))
    for box in ((112, 150, 152, 196), (248, 150, 288, 196), (130, 206, 176, 246), (224, 206, 270, 246)):
        pen.ellipse(box)
    pen.ellipse((150, 54, 250, 146))
    pen.ellipse((180, 100, 220, 134), look.light)
    pen.ellipse((194, 104, 206, 114), (40, 30, 30))
    for x in (176, 224):
        pen.ellipse((x - 6, 84, x + 6, 96), (40, 30, 30))
    pen.ellipse((176, 160, 224, 214), look.accent if look.variant % 2 else look.light)


def puzzle(pen: Pen, look: Look) -> None:
    pen.rect((108, 64, 292, 248), radius=4)
    pen.line([(200, 64), (200, 248)], 3)
    pen.line([(108, 156), (292, 156)], 3)
    for x, y in ((200, 108), (200, 204), (154, 156), (246, 156)):
        pen.ellipse((x - 12, y - 12, x + 12, y + 12), look.shade)
    pen.rect((214, 170, 284, 240), look.accent, 4)


def backpack(pen: Pen, look: Look) -> None:
    pen.arc((170, 40, 230, 90), 180, 360, 8)
    pen.rect((128, 64, 272, 244), radius=44)
    pen.rect((150, 156, 250, 236), look.shade, 16)
    pen.line([(158, 170), (242, 170)], 3, look.accent)
    pen.rect((192, 100, 208, 110), look.metal)
    if look.variant % 2:
        pen.rect((116, 150, 128, 220), look.accent, 4)


def handbag(pen: Pen, look: Look) -> None:
    pen.arc((146, 56, 254, 176), 180, 360, 12, look.shade)
    pen.poly([(110, 128), (290, 128), (314, 242), (86, 242)])
    pen.rect((110, 128, 290, 150), look.shade)
    pen.rect((188, 142, 212, 162), look.metal, 4)


def luggage(pen: Pen, look: Look) -> None:
    pen.rect((184, 38, 216, 50), (60, 60, 65), 4)
    pen.line([(188, 48), (188, 80)], 4, (120, 120, 125))
    pen.line([(212, 48), (212, 80)], 4, (120, 120, 125))
    pen.rect((128, 78, 272, 232), radius=18)
    for x in (164, 200, 236):
        pen.line([(x, 90), (x, 220)], 3, look.shade)
    for x in (146, 254):
        pen.ellipse((x - 10, 228, x + 10, 248), (40, 40, 45))
    pen.rect((128, 78, 152, 102), look.accent, 8)


def watch(pen: Pen, look: Look) -> None:
    pen.rect((174, 34, 226, 110), radius=6)
    pen.rect((174, 190, 226, 266), radius=6)
    pen.ellipse((140, 94, 260, 206), look.metal)
    pen.ellipse((154, 108, 246, 192), (250, 250, 248))
    pen.line([(200, 150), (200, 120)], 3, (40, 40, 45))
    pen.line(
        [(200, 150), (200 + 22 * math.cos(look.variant), 150 + 22 * math.sin(look.variant))], 3, (40, 40, 45)
    )
    pen.rect((260, 144, 268, 156), look.metal, 2)


def necklace(pen: Pen, look: Look) -> None:
    pen.arc((110, 20, 290, 214), 10, 170, 4, look.metal)
    pen.line([(200, 214), (200, 222)], 3, look.metal)
    gem = look.fill if look.fill != look.metal else look.accent
    pen.poly([(200, 220), (220, 244), (200, 272), (180, 244)], gem)


def earrings(pen: Pen, look: Look) -> None:
    gem = look.accent if look.variant % 2 else look.fill
    for x in (150, 250):
        pen.arc((x - 14, 60, x + 14, 92), 180, 360, 4, look.metal)
        pen.line([(x + 14, 76), (x + 4, 120)], 3, look.metal)
        pen.line([(x, 92), (x, 122)], 3, look.metal)
        pen.ellipse((x - 20, 120, x + 20, 184), gem)
        pen.ellipse((x - 8, 132, x + 2, 146), look.light)


def planter(pen: Pen, look: Look) -> None:
    leaf = (74, 140, 82)
    for tip, side in (((200, 50), 0), ((140, 82), -1), ((262, 86), 1), ((170, 66), -1), ((232, 66), 1)):
        x, y = tip
        pen.poly([(200, 150), (x - 14 - 8 * side, y + 40), (x, y), (x + 14 - 8 * side, y + 40)], leaf)
    pen.poly([(136, 150), (264, 150), (248, 242), (152, 242)])
    pen.rect((126, 136, 274, 160), look.shade, 4)
    if look.variant % 2:
        stripes(pen, 144, 256, (186,), 6)


def shears(pen: Pen, look: Look) -> None:
    pen.bar((200, 150), (310, 70), 16, (214, 218, 224))
    pen.bar((200, 150), (316, 104), 14, (214, 218, 224))
    pen.bar((200, 150), (96, 236), 22)
    pen.bar((200, 150), (86, 196), 22)
    pen.ellipse((188, 138, 212, 162), look.metal)


def lantern(pen: Pen, look: Look) -> None:
    pen.arc((180, 28, 220, 70), 180, 360, 5)
    pen.poly([(160, 66), (240, 66), (256, 92), (144, 92)])
    pen.rect((152, 92, 248, 216), (255, 228, 150))
    pen.ellipse((180, 130, 220, 190), (255, 248, 214))
    for x in (152, 200, 248):
        pen.line([(x, 92), (x, 216)], 5)
    pen.rect((140, 214, 260, 236), radius=4)


def notebook(pen: Pen, look: Look) -> None:
    pen.rect((126, 58, 286, 244), (245, 242, 232), 8)
    pen.rect((118, 52, 278, 240), radius=8)
    pen.rect((118, 52, 136, 240), look.shade, 4)
    pen.rect((252, 52, 262, 240), look.accent)
    if look.variant % 2:
        pen.rect((156, 92, 236, 126), look.light, 3)


def book(pen: Pen, look: Look) -> None:
    pen.rect((130, 56, 286, 246), (245, 242, 232), 4)
    pen.rect((122, 50, 278, 242), radius=4)
    pen.rect((122, 50, 142, 242), look.shade)
    pen.rect((160, 86, 262, 140), look.light, 4)
    for y in (156, 172):
        pen.line([(168, y), (254, y)], 3, look.light)
    pen.logo(210, 208, 13)


def pen_shape(pen: Pen, look: Look) -> None:
    pen.bar((90, 232), (286, 76), 26)
    pen.bar((286, 76), (306, 60), 20, look.accent)
    pen.poly([(82, 224), (98, 244), (70, 252)], look.metal)
    pen.bar((262, 80), (226, 130), 6, look.metal)
    if look.variant % 2:
        pen.bar((150, 184), (176, 163), 28, look.accent)


def dog_bed(pen: Pen, look: Look) -> None:
    pen.ellipse((66, 132, 334, 244))
    pen.ellipse((104, 152, 296, 224), look.light)
    pen.ellipse((130, 166, 270, 214), look.accent if look.variant % 2 else look.shade)


def leash(pen: Pen, look: Look) -> None:
    pen.arc((80, 50, 160, 130), 0, 360, 12)
    pen.line([(150, 116), (190, 170), (250, 196), (286, 226)], 10)
    pen.rect((282, 218, 314, 248), look.metal, 8)
    pen.rect((140, 106, 160, 128), look.accent, 4)


def bowl(pen: Pen, look: Look) -> None:
    pen.poly([(106, 168), (294, 168), (272, 236), (128, 236)])
    pen.ellipse((100, 150, 300, 186), look.shade)
    pen.ellipse((128, 158, 272, 180), look.light)
    if look.variant % 2:
        pen.logo(200, 208, 12)


def stroller(pen: Pen, look: Look) -> None:
    for x in (136, 262):
        pen.ellipse((x - 24, 200, x + 24, 248), (50, 50, 55))
        pen.ellipse((x - 10, 214, x + 10, 234), (170, 170, 175))
    pen.line([(136, 222), (200, 170), (262, 222)], 5, (80, 80, 85))
    pen.line([(250, 150), (306, 80)], 6, (80, 80, 85))
    pen.pieslice((110, 60, 270, 220), 180, 270, look.shade)
    pen.rect((110, 138, 270, 182), radius=18)


def bodysuit(pen: Pen, look: Look) -> None:
    pen.poly([(160, 66), (184, 58), (200, 68), (216, 58), (240, 66), (276, 94), (260, 120), (246, 112),
        (248, 190), (222, 236), (178, 236), (152, 190), (154, 112), (140, 120), (124, 94)])
    pen.ellipse((184, 56, 216, 76), look.shade)
    for x in (190, 210):
        pen.ellipse((x - 4, 224, x + 4, 232), look.light)
    if look.variant % 2:
        stripes(pen, 156, 246, (130, 160), 7)
    else:
        pen.logo(200, 150, 13)


def baby_bottle(pen: Pen, look: Look) -> None:
    pen.poly([(184, 86), (190, 56), (200, 46), (210, 56), (216, 86)], (236, 200, 150))
    pen.rect((160, 84, 240, 106), look.accent, 6)
    pen.rect((166, 104, 234, 244), look.light, 20)
    pen.rect((166, 170, 234, 244), look.fill, 20)
    for y in (130, 150, 170, 190):
        pen.line([(170, y), (186, y)], 2, look.shade)


def gift_box(pen: Pen, look: Look) -> None:
    pen.ellipse((160, 70, 200, 104), look.accent)
    pen.ellipse((200, 70, 240, 104), look.accent)
    pen.rect((124, 118, 276, 240), radius=4)
    pen.rect((112, 96, 288, 126), look.shade, 4)
    pen.rect((190, 96, 210, 240), look.accent)


# fmt: on

# Kinds by the words a category or title uses; the first match wins, so longer phrases come first.
Drawing = Callable[[Pen, Look], None]
KINDS: list[tuple[tuple[str, ...], Drawing]] = [
    (("yoga mat", "exercise mat"), yoga_mat),
    (("dog bed", "pet bed", "cat bed"), dog_bed),
    (("power bank", "charger", "battery"), power_bank),
    (("water bottle", "flask", "tumbler"), water_bottle),
    (("baby bottle", "feeding", "sippy"), baby_bottle),
    (("office chair", "chair", "stool"), office_chair),
    (("hair care", "shampoo", "conditioner"), hair_care),
    (("baby clothing", "bodysuit", "onesie", "romper"), bodysuit),
    (("outdoor lighting", "lantern", "string light"), lantern),
    (("pruning", "shear", "secateur", "pruner"), shears),
    (("building set", "brick", "lego", "block"), brick),
    (("tshirt", "tee", "top", "polo", "blouse"), tshirt),
    (("jean", "trouser", "pant", "chino", "legging"), jeans),
    (("hoodie", "hoody", "sweatshirt", "sweater"), hoodie),
    (("jacket", "coat", "parka", "shell", "vest"), jacket),
    (("dress", "skirt", "gown"), dress),
    (("sandal", "slide", "flipflop", "slipper"), sandal),
    (("boot",), boot),
    (("running", "sneaker", "trainer", "shoe", "footwear"), shoe),
    (("headphone", "earphone", "headset", "earbud"), headphones),
    (("speaker", "soundbar"), speaker),
    (("keyboard",), keyboard),
    (("bedding", "duvet", "sheet", "pillow", "blanket", "quilt"), bedding),
    (("lamp", "light"), lamp),
    (("rug", "carpet", "mat"), rug),
    (("candle",), candle),
    (("sofa", "couch", "sectional"), sofa),
    (("desk", "table"), desk),
    (("bed", "mattress"), bed),
    (("mug", "cup"), mug),
    (("cookware", "pan", "pot", "skillet", "wok", "dutch oven", "saucepan"), cookware),
    (("knife", "knive", "cleaver"), knife),
    (("moisturizer", "cream", "lotion", "skincare", "skin care"), jar),
    (("fragrance", "perfume", "cologne", "eau de"), perfume),
    (("dumbbell", "kettlebell", "weight"), dumbbell),
    (("tent", "shelter"), tent),
    (("plush", "teddy", "stuffed"), plush),
    (("puzzle", "jigsaw"), puzzle),
    (("backpack", "rucksack", "daypack"), backpack),
    (("handbag", "bag", "purse", "tote", "clutch"), handbag),
    (("luggage", "suitcase", "carryon"), luggage),
    (("watch", "smartwatch"), watch),
    (("necklace", "pendant", "chain"), necklace),
    (("earring", "stud", "hoop"), earrings),
    (("planter", "pot", "plant"), planter),
    (("notebook", "journal", "planner", "diary"), notebook),
    (("cookbook", "book", "novel"), book),
    (("pen", "pencil", "marker"), pen_shape),
    (("leash", "lead", "harness", "collar"), leash),
    (("bowl", "feeder"), bowl),
    (("stroller", "pram", "pushchair", "buggy"), stroller),
]


def drawing_for(category: str, title: str) -> Drawing:
    """The drawing for a product: by its category's last part, else its title, else its whole category path;
    a gift box when none of them names a kind that has a drawing."""
    for text in (category.split(">")[-1], title, category):
        spoken = " " + " ".join(singular(word) for word in WORD.findall(text.lower().replace("-", ""))) + " "
        for names, drawing in KINDS:
            if any(f" {name} " in spoken for name in names):
                return drawing
    return gift_box
