"""The report in a real browser: Debian's headless Chromium renders the file (offline: every host
name resolves to nothing, and the page's own policy fetches nothing), and the rendered DOM and a
screenshot say what the page should.

Basic facts, not pixels: the counts after render, the map's elements, the escaped text still
text; the screenshot a PNG of the requested size that is not one colour."""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from terminal.report import write_report
from tests.report.conftest import LINE, MIN, T0

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (make setup installs it)"
)
WIDTH, HEIGHT = 1200, 1600


def browser(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    profile = tmp_path / "profile"
    return subprocess.run(
        [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-extensions", "--no-proxy-server", "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--user-data-dir={profile}", "--hide-scrollbars", *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def page(shift_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("render") / "report.html"
    write_report(shift_db, out, T0, T0 + 120 * MIN, line=LINE, line_id="L1")
    return out


def test_the_rendered_dom_holds_the_counts(page: Path, tmp_path: Path) -> None:
    done = browser(tmp_path, "--dump-dom", page.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert '<dd id="count-calls">2</dd>' in dom
    assert '<dd id="count-alerts">4</dd>' in dom
    assert '<dd id="count-open">1</dd>' in dom
    assert dom.count('<tr class="call">') == 2 and dom.count('<tr class="alert">') == 5
    assert '<polyline id="line"' in dom and dom.count('class="mark"') == 8
    assert "<script" not in dom  # the hostile note is still text after parsing
    assert "&lt;script&gt;" in dom


def png_facts(data: bytes) -> tuple[int, int, int]:
    """Width, height and how many distinct byte values the image data holds."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    chunks, offset = [], 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        if kind == b"IDAT":
            chunks.append(data[offset + 8 : offset + 8 + length])
        offset += 12 + length
    pixels = zlib.decompress(b"".join(chunks))
    return width, height, len(set(pixels))


def test_the_screenshot_has_the_size_and_is_not_blank(page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    done = browser(
        tmp_path, f"--screenshot={shot}", f"--window-size={WIDTH},{HEIGHT}", page.as_uri()
    )
    assert done.returncode == 0 and shot.exists(), done.stderr[-2000:]
    width, height, distinct = png_facts(shot.read_bytes())
    assert (width, height) == (WIDTH, HEIGHT)
    assert distinct > 20  # text, tables, the map: many shades, not one blank colour
