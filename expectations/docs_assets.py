"""The scripts and styles GX's Data Docs load from CDNs, served from the docs folder instead.

Without them the Data Docs index shows no table (its rows are drawn by bootstrap-table), and
CDNs are out of reach on an offline machine and unreliable on many government networks. ``make
install`` fetches the packages from the npm registry once (``python -m expectations.docs_assets``),
checked against the hashes below; each Data Docs build then copies what its pages use beside them
and points the pages there. Where the packages could not be fetched the pages keep the CDN
addresses, which work online."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import shutil
import sys
import tarfile
import urllib.request
from pathlib import Path

STORE = Path(__file__).resolve().parent / "gx" / "uncommitted" / "web_assets"
REGISTRY = os.environ.get("OGI_NPM_REGISTRY", "https://registry.npmjs.org")

# npm package, version -> (tarball integrity, files or folders the pages use)
PACKAGES = {
    ("jquery", "3.7.1"): (
        "sha512-m4avr8yL8kmFN8psrbFFFmB/If14iN5o9nw/NgnnM+kybDJpRsAynV2BsfpTYrTRysYUdADVD7CkUUizgkpLfg==",
        ["dist/jquery.min.js"],
    ),
    ("bootstrap", "4.3.1"): (
        "sha512-rXqOmH1VilAt2DyPzluTi2blhk17bO7ef+zLLPlWvG494pDxcM234pJ8wTc/6R40UWizAIIMgxjvxZg5kmsbag==",
        ["dist/css/bootstrap.min.css", "dist/js/bootstrap.min.js"],
    ),
    ("popper.js", "1.12.9"): (
        "sha512-s0EEi9xiSCdqz9lV4IiVH5yIZnDX/U1t0tCjB+0jXx9jW8lrR7kOpVupiUg175ogqVoudpDXHF1p6dKATCHMeg==",
        ["dist/umd/popper.min.js"],
    ),
    ("bootstrap-table", "1.19.1"): (
        "sha512-WvV+l1AI/C+zThaKmfHmi/IuayVNB0qdFyEhFx1jyZhO0oLtNJNANkCR3rvJf6Dkh72dsLElxpE/bzK9seEQLA==",
        ["dist/bootstrap-table.min.js", "dist/bootstrap-table.min.css", "dist/extensions/filter-control"],
    ),
    ("bootstrap-datepicker", "1.9.0"): (
        "sha512-9rYYbaVOheGYxjOr/+bJCmRPihfy+LkLSg4fIFMT9Od8WwWB/MB50w0JO1eBgKUMbb7PFHQD5uAfI3ArAxZRXA==",
        ["dist/js/bootstrap-datepicker.min.js", "dist/css/bootstrap-datepicker.min.css"],
    ),
    ("@fortawesome/fontawesome-free", "6.6.0"): (
        "sha512-60G28ke/sXdtS9KZCpZSHHkCbdsOGEhIUGlwq6yhY74UpTiToIh8np7A8yphhM4BWsvNFtIvLpi4co+h9Mr9Ow==",
        ["css/all.min.css", "webfonts"],  # the stylesheet loads its fonts from ../webfonts
    ),
    ("@forevolve/bootstrap-dark", "1.1.0"): (
        "sha512-A3ucpEpxPoTVO490lZZCfjPXxv832l7mm1IxX3bXyxvgwnPGXDLyh7dWrphXKO8YBAu3EswbBEu3VSW8NRMW3A==",
        ["dist/css/bootstrap-prefers-dark.css"],
    ),
}

# an address in the templates -> (package, version, file); unpkg and jsDelivr name npm paths directly
_NPM_CDN = re.compile(r"https://(?:unpkg\.com|cdn\.jsdelivr\.net/npm)/((?:@[\w.-]+/)?[\w.-]+)@([\d.]+)/([^\"'?#\s]+)")
_OTHER_CDN = {
    "https://code.jquery.com/jquery-3.7.1.min.js": ("jquery", "3.7.1", "dist/jquery.min.js"),
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": (
        "bootstrap",
        "4.3.1",
        "dist/css/bootstrap.min.css",
    ),
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": (
        "bootstrap",
        "4.3.1",
        "dist/js/bootstrap.min.js",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": (
        "popper.js",
        "1.12.9",
        "dist/umd/popper.min.js",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js": (
        "bootstrap-datepicker",
        "1.9.0",
        "dist/js/bootstrap-datepicker.min.js",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css": (
        "bootstrap-datepicker",
        "1.9.0",
        "dist/css/bootstrap-datepicker.min.css",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": (
        "@fortawesome/fontawesome-free",
        "6.6.0",
        "css/all.min.css",
    ),
}
_ADDRESS = re.compile(r"""(?<=["'])https://[^"'\s]+""")
# GX's pages load their logos from GX's servers, one with this site's id in its query
_GX_IMAGE = re.compile(r"https://great-expectations-web-assets\.[^\"')\s]*")


def fetched(store: Path = STORE) -> bool:
    """Whether every package is in ``store``."""
    return all((store / f"{name}@{version}").is_dir() for name, version in PACKAGES)


def fetch(store: Path = STORE) -> list[str]:
    """Download and unpack the packages not yet in ``store``; returns the problems (none: all there)."""
    problems = []
    for (name, version), (integrity, wanted) in PACKAGES.items():
        folder = store / f"{name}@{version}"
        if folder.is_dir():
            continue
        url = f"{REGISTRY}/{name}/-/{name.split('/')[-1]}-{version}.tgz"
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                data = response.read()
        except OSError as exc:
            problems.append(f"{name}@{version}: {exc}")
            continue
        algorithm, digest = integrity.split("-", 1)
        if base64.b64encode(hashlib.new(algorithm, data).digest()).decode() != digest:
            problems.append(f"{name}@{version}: the download does not match its pinned hash")
            continue
        partial = store / f".{name.replace('/', '_')}@{version}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            members = [
                m
                for m in tar.getmembers()
                if m.isfile() and any(m.name == f"package/{w}" or m.name.startswith(f"package/{w}/") for w in wanted)
            ]
            for member in members:
                member.name = member.name.removeprefix("package/")
            tar.extractall(partial, members=members, filter="data")
        folder.parent.mkdir(parents=True, exist_ok=True)
        partial.rename(folder)
    return problems


def localize(site: Path, store: Path = STORE) -> None:
    """Point the Data Docs pages under ``site`` at copies of their scripts and styles in
    ``site/static/vendor`` (copied once), and show the local logo instead of GX's remote images.
    Addresses whose package is not in ``store`` stay as they are."""
    vendor = site / "static" / "vendor"
    for page in site.rglob("*.html"):
        up = "../" * (len(page.relative_to(site).parts) - 1)  # from the page to the site's root
        text = _ADDRESS.sub(lambda m, up=up: _local(m.group(0), store, vendor, up), page.read_text("utf-8"))
        page.write_text(_GX_IMAGE.sub(f"{up}static/images/logo-long.png", text), encoding="utf-8")


def _local(address: str, store: Path, vendor: Path, up: str) -> str:
    """The copy of ``address`` beside the pages, or the address itself when there is none."""
    target = _OTHER_CDN.get(address)
    npm = _NPM_CDN.fullmatch(address)
    if target is None and npm:
        name, version, path = npm.groups()
        target = (name, version if (name, version) in PACKAGES else _known_version(name), path)
    if target is None or not _copy(store, vendor, target):
        return address
    name, version, path = target
    return f"{up}static/vendor/{name}@{version}/{path}"


def _known_version(name: str) -> str | None:
    # the templates ask for bootstrap-table's filter-control CSS of 1.19.0 beside 1.19.1's scripts
    return next((v for n, v in PACKAGES if n == name), None)


def _copy(store: Path, vendor: Path, target: tuple[str, str | None, str]) -> bool:
    name, version, path = target
    if version is None:
        return False
    package = f"{name}@{version}"
    if not (store / package / path).is_file():
        return False
    if not (vendor / package).is_dir():
        shutil.copytree(store / package, vendor / package, dirs_exist_ok=True)
    return True


def main() -> None:
    problems = fetch()
    for problem in problems:
        print(
            f"Data Docs assets: {problem}; the pages will load it from its CDN "
            "(run `python -m expectations.docs_assets` again where the npm registry can be reached)",
            file=sys.stderr,
        )
    if not problems:
        print(f"Data Docs assets ready in {STORE}")


if __name__ == "__main__":
    main()
