"""Page assets for the offline HTML pages: the inlined vis-network build, our own script, the Content-Security-Policy
and the Jinja2 environment (autoescaping everywhere), and JSON that is safe inside a ``<script>`` element.

Shared by :mod:`kg.viz` (map pages) and :mod:`kg.report` (index and sources pages). Nothing here writes files.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import cache, lru_cache
from importlib import resources

from jinja2 import Environment, PackageLoader, StrictUndefined

VIS_VERSION = "9.1.2"


@lru_cache(maxsize=1)
def vis_network_js() -> str:
    """The vis-network build pyvis ships (MIT / Apache-2.0, license header kept), read from the installed package."""
    pyvis = resources.files("pyvis")
    for folder in ("lib", "templates/lib"):
        file = pyvis.joinpath(f"{folder}/vis-{VIS_VERSION}/vis-network.min.js")
        if file.is_file():
            text = file.read_text(encoding="utf-8")
            # Inlined in a <script>: it must not be able to end the element or open an HTML comment.
            assert "</script" not in text.lower() and "<!--" not in text
            return text
    raise FileNotFoundError(f"vis-network {VIS_VERSION} not found in the installed pyvis package")


@cache
def static_text(name: str) -> str:
    """A file of ``kg/static/`` (the page's own script)."""
    return resources.files("kg").joinpath(f"static/{name}").read_text(encoding="utf-8")


def csp_hash(script: str) -> str:
    """The Content-Security-Policy source expression that allows exactly this inline script."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


def content_policy(*scripts: str) -> str:
    """A CSP for an offline page: no network at all, only the given inline scripts (by hash)."""
    allowed = " ".join(csp_hash(s) for s in scripts) or "'none'"
    return (f"default-src 'none'; script-src {allowed}; style-src 'unsafe-inline'; img-src data:; "
            f"base-uri 'none'; form-action 'none'")


_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
                              "\u2029": "\\u2029"})


def script_json(value) -> str:
    r"""JSON that can sit inside an HTML ``<script>`` element: Chinese kept readable, no way to close the element.

    >>> script_json({"name": "芯片</script><b>"})
    '{"name":"芯片\\u003c/script\\u003e\\u003cb\\u003e"}'
    """
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str).translate(_SCRIPT_SAFE)


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The Jinja2 environment of ``kg/templates``: autoescaping on for every template, undefined names fail."""
    env = Environment(loader=PackageLoader("kg", "templates"), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["script_json"] = script_json
    return env
