"""`make screenshots`: the first screen of a few pages on a 360-pixel-wide phone, for the README.

    python tools/audit/screenshots.py [--out docs/screenshots] [--workdir var/screenshots]

Serves a freshly seeded demo (as `make audit` does), opens each page in headless Chromium at
360 x 740 CSS pixels and device scale 2, and writes `<out>/<name>.png`, reduced to a palette
of colours with Pillow so that each file stays under 150 KB.
"""

import argparse
import io
import os
import sys
from pathlib import Path

from demo_site import ROOT, served_demo
from PIL import Image

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
MAX_BYTES = 150 * 1024
SHOTS = [
    ("directory", "directory"),
    ("listing", "listing"),
    ("start", "start answered"),
    ("wizard", "wizard organizacion"),
    ("not-found", "error 404"),
    ("certificate", "certificate"),
]


def small_png(png_bytes):
    """The screenshot as a palette PNG: text and flat colours survive 64 colours well."""
    image = Image.open(io.BytesIO(png_bytes)).convert("RGB")
    for colours in (128, 64, 32):
        out = io.BytesIO()
        image.quantize(colors=colours, method=Image.Quantize.MEDIANCUT).save(out, format="PNG", optimize=True)
        if out.tell() <= MAX_BYTES:
            return out.getvalue()
    raise RuntimeError(f"screenshot still {out.tell()} bytes with 32 colours")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--workdir", default=str(ROOT / "var" / "screenshots"))
    args = parser.parse_args()
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with served_demo(Path(args.workdir).resolve() / "site") as site, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        phone = {
            "locale": "es-PE",
            "viewport": {"width": 360, "height": 740},
            "device_scale_factor": 2,
            "is_mobile": True,
            "has_touch": True,
        }
        visitor = browser.new_context(**phone)
        applicant = browser.new_context(**phone)
        applicant.add_cookies([{"name": "sessionid", "value": site.session_cookie, "url": site.base_url}])
        for filename, page_name in SHOTS:
            page = site.named[page_name]
            tab = (applicant if page.logged_in else visitor).new_page()
            tab.goto(site.url(page), wait_until="networkidle")
            data = small_png(tab.screenshot(full_page=False))
            (out / f"{filename}.png").write_bytes(data)
            print(f"{filename}.png: {page.path}, {len(data) // 1024} KB")
            tab.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
