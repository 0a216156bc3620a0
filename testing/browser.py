"""Headless Chromium (Debian's `chromium` package) for checking the HTML report: a screenshot, and the rendered
size of every chart, read back through the DOM."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Optional

CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
# Measures every chart after layout and writes the sizes into the page, where --dump-dom can read them.
_MEASURE = """<script>
addEventListener("load", () => {
  const sizes = [...document.querySelectorAll("figure.chart svg")].map(svg => {
    const box = svg.getBoundingClientRect();
    return {chart: svg.parentElement.dataset.chart, width: box.width, height: box.height,
            shapes: svg.querySelectorAll("path, rect, use, line").length};
  });
  const out = document.createElement("pre");
  out.id = "chart-sizes";
  out.textContent = JSON.stringify({viewport: innerWidth, scrollWidth: document.documentElement.scrollWidth, sizes});
  document.body.appendChild(out);
});
</script>"""


def find_chromium() -> Optional[str]:
    return next((path for name in CANDIDATES if (path := shutil.which(name))), None)


def _run(chromium: str, arguments: list[str], timeout: float) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as profile:
        command = [
            chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--hide-scrollbars", f"--user-data-dir={profile}",
            *arguments,
        ]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True)


def screenshot(chromium: str, page: Path, png: Path, width: int = 412, height: int = 2400, timeout: float = 120) -> None:
    """A PNG of the page as a phone-sized window shows it (412 px wide by default)."""
    _run(chromium, [f"--screenshot={png}", f"--window-size={width},{height}", page.resolve().as_uri()], timeout)


def chart_sizes(chromium: str, page: Path, width: int = 412, timeout: float = 120) -> dict:
    """{"viewport", "scrollWidth", "sizes": [{"chart", "width", "height", "shapes"}]} after layout at `width` px."""
    with tempfile.TemporaryDirectory() as folder:
        measured = Path(folder) / "measured.html"
        measured.write_text(page.read_text(encoding="utf-8").replace("</body>", _MEASURE + "</body>"), encoding="utf-8")
        dom = _run(chromium, ["--dump-dom", "--virtual-time-budget=5000", f"--window-size={width},2000",
                              measured.as_uri()], timeout).stdout
    found = re.search(r'<pre id="chart-sizes">(.*?)</pre>', dom, re.S)
    if not found:
        raise RuntimeError("the page did not report its chart sizes: " + dom[-500:])
    return json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))
