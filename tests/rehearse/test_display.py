"""The digits on screen and in the report: half-block text, the per-digit table, and the PNG that
the HTML report embeds."""

from __future__ import annotations

import base64
import re
import struct
import zlib

import numpy as np

from engine.rehearse import record
from engine.rehearse.data import shipped_digits
from engine.rehearse.grid import half_blocks, halve, png, text_grid
from engine.rehearse.render import digit_table, verdict
from engine.reports.history import collect
from engine.reports.render import render
from engine.store import Store


def samples() -> tuple[bytes, list[list[int]]]:
    """Five real digits of each class in the grader's order, and readings with two mistakes."""
    digits = shipped_digits()
    chosen = np.concatenate([np.flatnonzero(digits.labels == d)[:5] for d in range(10)])
    predictions = [[d] * 5 for d in range(10)]
    predictions[8][2] = 3
    predictions[0][4] = 6
    return digits.images[chosen].tobytes(), predictions


def decode_png(data: bytes) -> np.ndarray:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    assert (depth, colour) == (8, 0)
    chunks, offset = {}, 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        assert struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])[0] == zlib.crc32(kind + body)
        chunks[kind] = chunks.get(kind, b"") + body
        offset += 12 + length
    raw = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), dtype=np.uint8).reshape(height, width + 1)
    assert not raw[:, 0].any(), "every scanline is unfiltered"
    return raw[:, 1:]


def test_half_blocks_draw_two_pixel_rows_per_line():
    assert half_blocks([[255, 0, 255, 0], [255, 255, 0, 0]]) == ["█▄▀ "]
    assert halve([[0, 255], [255, 255]]) == [[191]]


def test_the_text_grid_fits_80_columns_with_a_row_per_digit():
    pixels, predictions = samples()
    lines = text_grid(pixels, predictions)
    assert len(lines) == 10 * (7 + 1)
    assert max(len(line) for line in lines) <= 80
    assert lines[3].startswith("0 │") and lines[8 * 8 + 3].startswith("8 │")
    assert "read 3 ✗" in lines[8 * 8 + 7] and lines[8 * 8 + 7].count("✓") == 4
    assert any(ch in "▀▄█" for ch in "".join(lines))


def test_the_table_counts_each_digit_and_the_verdict_uses_the_pass_mark():
    _, predictions = samples()
    table = digit_table(predictions)
    assert table[1].split() == ["0", "0", "0", "0", "0", "6", "4/5", "✗"]
    assert "48/50 = 96%" in table[-1]
    assert verdict(0.96).startswith("PASS") and verdict(0.94).startswith("NOT YET") and "48 of 50" in verdict(0.94)


def test_the_png_holds_the_samples_as_they_were_drawn():
    pixels, _ = samples()
    picture = decode_png(png(pixels))
    assert picture.shape == (10 * 28 + 9 * 2, 5 * 28 + 4 * 2)
    images = np.frombuffer(pixels, dtype=np.uint8).reshape(50, 28, 28)
    assert np.array_equal(picture[:28, :28], images[0])
    assert np.array_equal(picture[30 * 3 : 30 * 3 + 28, 30 * 2 : 30 * 2 + 28], images[3 * 5 + 2])
    assert not picture[28:30].any(), "a black gap between the rows"


def test_the_report_shows_the_latest_digits_as_an_image(drill_home):
    pixels, predictions = samples()
    with Store() as store:
        finished = record.create(store, "cpu", "rehearsal.py")
        record.advance(store, finished, stage="checked", detail={"feedback": []})
        record.advance(store, finished, stage="sampled", images=pixels)
        record.advance(store, finished, stage="classified", detail={"predictions": predictions}, accuracy=0.96, status=record.PASS)
        killed = record.create(store, "course", "rehearsal.py")
        record.advance(store, killed, stage="checked", detail={"feedback": []})
        history = collect(store)
    html = render(history, "html")
    (uri,) = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    assert np.array_equal(decode_png(base64.b64decode(uri))[:28, :28], np.frombuffer(pixels[:784], np.uint8).reshape(28, 28))
    section = html[html.index('id="rehearsals"') :]
    assert "<code>8 8 3 8 8</code>" in section and "4/5" in section
    assert "unfinished" in section and "passed" in section and "96%" in section
    markdown = render(history, "md")
    assert "## Assessment rehearsals" in markdown and "| 2 |" in markdown and "unfinished" in markdown
    assert not history.empty


def test_a_report_without_rehearsals_says_how_to_start(drill_home):
    with Store() as store:
        html = render(collect(store), "html")
    assert "drill rehearse start" in html[html.index('id="rehearsals"') :]
