"""The 50 samples as a picture: half-block text for the terminal and the app, a PNG for the report.

Both lay the samples out as the grader asks for them: one row per digit 0–9, its 5 samples
across. Pixels are 0–255 bytes, 28 × 28 per image (``assess.to_pixels``). Torch-free.
"""

from __future__ import annotations

import base64
import struct
import zlib

from engine.rehearse.rules import N_DIGITS as DIGITS
from engine.rehearse.rules import SAMPLES_PER_DIGIT as PER_DIGIT

SIDE = 28
CHARS = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}
PNG_GAP = 2


def image(pixels: bytes, index: int) -> list[list[int]]:
    """Image ``index`` as 28 rows of 28 values."""
    start = index * SIDE * SIDE
    return [list(pixels[start + row * SIDE : start + (row + 1) * SIDE]) for row in range(SIDE)]


def halve(rows: list[list[int]]) -> list[list[int]]:
    """Each 2 × 2 block's mean: 28 × 28 becomes 14 × 14, so five samples fit an 80-column terminal."""
    return [
        [(rows[r][c] + rows[r][c + 1] + rows[r + 1][c] + rows[r + 1][c + 1]) // 4 for c in range(0, len(rows[0]), 2)]
        for r in range(0, len(rows), 2)
    ]


def half_blocks(rows: list[list[int]], threshold: int = 96) -> list[str]:
    """Two pixel rows per text line: ▀ the upper one lit, ▄ the lower, █ both."""
    lines = []
    for r in range(0, len(rows), 2):
        lower = rows[r + 1] if r + 1 < len(rows) else [0] * len(rows[r])
        lines.append("".join(CHARS[upper >= threshold, below >= threshold] for upper, below in zip(rows[r], lower)))
    return lines


def text_grid(pixels: bytes, predictions: list[list[int]] | None = None) -> list[str]:
    """The samples as text lines: for each digit, its 5 samples side by side (14 columns each),
    and under them what the classifier read (✓ when it is the digit asked for)."""
    lines = []
    for digit in range(DIGITS):
        pictures = [half_blocks(halve(image(pixels, digit * PER_DIGIT + k))) for k in range(PER_DIGIT)]
        for row in range(len(pictures[0])):
            label = f"{digit} │" if row == len(pictures[0]) // 2 else "  │"
            lines.append(label + " ".join(picture[row] for picture in pictures))
        if predictions is not None:
            captions = [f"read {read} {'✓' if read == digit else '✗'}".center(SIDE // 2) for read in predictions[digit]]
            lines.append("  │" + " ".join(captions))
    return lines


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def png(pixels: bytes) -> bytes:
    """A greyscale PNG of the samples, white digits on black, 2-pixel black gaps between them."""
    width = PER_DIGIT * SIDE + (PER_DIGIT - 1) * PNG_GAP
    height = DIGITS * SIDE + (DIGITS - 1) * PNG_GAP
    canvas = bytearray(width * height)
    for index in range(min(DIGITS * PER_DIGIT, len(pixels) // (SIDE * SIDE))):
        top = (index // PER_DIGIT) * (SIDE + PNG_GAP)
        left = (index % PER_DIGIT) * (SIDE + PNG_GAP)
        for row, values in enumerate(image(pixels, index)):
            start = (top + row) * width + left
            canvas[start : start + SIDE] = bytes(values)
    # Each scanline starts with its filter type, 0 (none).
    raw = b"".join(b"\x00" + bytes(canvas[y * width : (y + 1) * width]) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 9)) + _chunk(b"IEND", b"")


def png_data_uri(pixels: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png(pixels)).decode("ascii")
