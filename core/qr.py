"""QR codes that scan when printed: one way to draw them for cards, posters and screens.

The SVG carries a viewBox and no fixed size, so CSS scales the whole symbol instead of cropping
it; the quiet zone is the four modules ISO/IEC 18004 asks for, drawn white, so a dark table or
a cut line next to the code does not eat it. Size is set by the page (see MIN_MM).
"""

import segno
from django.utils.safestring import SafeString, mark_safe

QUIET_ZONE = 4
# Smallest printed edge in millimetres, quiet zone included, per surface.
MIN_MM = {"card": 25, "poster": 40}


def qr_svg(url: str, *, label: str = "") -> SafeString:
    """The URL as an inline, scalable SVG (error correction M: a smudged card still reads)."""
    svg = segno.make(url, error="m", micro=False).svg_inline(
        border=QUIET_ZONE, omitsize=True, dark="#000", light="#fff", title=label or None, svgclass="qr-code"
    )
    return mark_safe(svg)  # noqa: S308 - drawn by segno from a URL we build, not user input
