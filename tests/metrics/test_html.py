import os
import re
import shutil
import subprocess

import pytest

from stochgen.metrics import evaluate

pytest.importorskip("matplotlib")

CHECK_SCRIPT = """
<script>
window.addEventListener("load", function () {
  var images = Array.prototype.slice.call(document.images);
  var decoded = images.filter(function (i) { return i.complete && i.naturalWidth > 0; });
  var marker = document.createElement("div");
  marker.id = "render-check";
  marker.textContent = "images=" + images.length + " decoded=" + decoded.length;
  document.body.appendChild(marker);
});
</script>
"""


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("CI"):
        pytest.fail("chromium is required in CI (apt-get install chromium)")
    pytest.skip("chromium is not installed")


@pytest.fixture(scope="module")
def report(real, synthetic):
    return evaluate(real, synthetic, target="group", by="group", seed=0)


def test_plot_writes_png_files(tmp_path, report):
    paths = report.plot(tmp_path / "figures")
    assert sorted(p.name for p in paths) == ["columns.png", "correlation.png", "pairs.png"]
    for path in paths:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert path.stat().st_size > 5_000


def test_html_is_self_contained(tmp_path, report):
    path = report.to_html(tmp_path / "report.html")
    text = path.read_text(encoding="utf-8")
    sources = re.findall(r'<img [^>]*src="([^"]+)"', text)
    assert len(sources) == 3
    assert all(s.startswith("data:image/png;base64,") for s in sources)
    assert "http://" not in text and "https://" not in text
    assert "Fidelity score" in text
    for heading in ("Kendall tau", "Tail dependence", "By class"):
        assert f"<h2>{heading}</h2>" in text


def test_html_figures_render_in_headless_chromium(tmp_path, report):
    chromium = find_chromium()
    path = report.to_html(tmp_path / "report.html")
    page = tmp_path / "checked.html"
    page.write_text(
        path.read_text(encoding="utf-8").replace("</body>", CHECK_SCRIPT + "</body>"),
        encoding="utf-8",
    )
    command = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--virtual-time-budget=10000",
        "--dump-dom",
        page.as_uri(),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    found = re.search(r"images=(\d+) decoded=(\d+)", result.stdout)
    assert found, f"no render marker; stderr:\n{result.stderr[-2000:]}"
    n_images, n_decoded = map(int, found.groups())
    assert n_images == 3
    assert n_decoded == n_images
