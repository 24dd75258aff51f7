"""Map pages: a network (:mod:`kg.viz`, :mod:`kg.overview_maps`) and, when given, a default view in the DOM (the
chain panorama, :mod:`kg.chain_panorama`; the overview matrix, :mod:`kg.overview_matrix`) rendered as one
self-contained, offline, injection-safe HTML page with a side panel (:mod:`kg.panel`), a find box and a print button.

The page's data (network nodes and edges, panel entries, find rows, the few words the script writes) is one JSON
document in a ``<script type="application/json">`` (:func:`kg.pages.script_json`); :file:`kg/static/map.js` reads it,
draws the network only when its tab is opened, and writes every text with ``textContent``. Nothing here writes files.
"""

from __future__ import annotations

from pyvis.network import Network

from kg.i18n import MESSAGES, code, t
from kg.manifest import synthetic_notice
from kg.pages import VIS_VERSION, content_policy, environment, static_text, vis_network_js
from kg.viz import GRADES, MARK, TEXT


def legend(kinds: list[str | tuple[str, str]], lang: str) -> list[dict]:
    """Legend entries (``kind``, ``label``) for the page; the page draws each kind's swatch with CSS. A kind is a
    node style, or a ``(style, label)`` pair to say what the style means on this page."""
    words = TEXT[lang]
    return [{"kind": k[0], "label": k[1]} if isinstance(k, tuple) else {"kind": k, "label": words.get(k, k)}
            for k in kinds]


CHAIN_LEGEND = ["chain", "strong", "potential", "weak", "blank", "chain_master", "leading", "member", "count", "park",
                "place", "policy"]


def render_page(net: Network, *, title: str, subtitle: str = "",
                legend_kinds: list[str | tuple[str, str]] | None = None,
                tables: list[dict] | None = None, back: str | None = None, lang: str = "zh",
                notes: list[str] | None = None, dataset: dict | None = None, view: dict | None = None,
                network_notes: list[str] | None = None) -> str:
    """A page (UTF-8 text; the caller writes it): a default view in the DOM when ``view`` is given (the chain
    panorama, the overview matrix) with the network one tab away, else the network alone; a side panel, a find box,
    a print button.

    Args:
        net: a network from one of the ``*_network`` functions; its nodes' ``ref`` open panel entries.
        title: page heading (escaped like every other text).
        subtitle: one line under the heading.
        legend_kinds: node kinds to explain in the network's legend.
        tables: tables under the view (not printed): ``{"title", "headers", "rows"}`` (rows are lists of cells).
        back: a relative link back to the report's index, if any.
        notes: short paragraphs under the views.
        dataset: what the data describes (:func:`kg.manifest.store_dataset`); synthetic data gets a banner atop the
            page, in ``lang``.
        view: ``{"template", "style", "tab", "model"}``: the default view's template (``panorama.html``,
            ``matrix.html``) and its data, whose ``panel`` entries and ``find`` rows join the page's.
        network_notes: paragraphs under the network view.
    """
    script = static_text("map.js")
    vis = vis_network_js()
    model = (view or {}).get("model") or {}
    entries = dict(model.get("panel") or {})
    find, seen = [], set()
    for row in model.get("find") or []:
        if row[2] not in seen:
            seen.add(row[2])
            find.append(row)
    for node in net.nodes:  # anything on the network without an entry of its own: its tooltip, as plain lines
        if node["ref"] not in entries and node["group"] != "count":
            entries[node["ref"]] = {"kind": t(f"page.{node['group']}", lang) if f"page.{node['group']}" in MESSAGES
                                    else "", "title": node["name"], "zh": False, "alt": "", "sources": [],
                                    "facts": [{"label": "", "values": node["title"].split("\n")[1:], "cls": "list"}]}
            if node["group"] not in ("member",):
                find.append([node["name"], entries[node["ref"]]["kind"], node["ref"], ""])
    data = {"nodes": net.nodes, "edges": net.edges, "options": net.options, "panel": entries, "find": find,
            "lazy": bool(view), "words": {"sources": t("sources", lang), "find_none": t("page.find_none", lang)}}
    return environment().get_template("map.html").render(
        title=title, subtitle=subtitle, lang=lang, data=data, vis_js=vis, app_js=script,
        csp=content_policy(vis, script), legend=legend(legend_kinds or CHAIN_LEGEND, lang), tables=tables or [],
        back=back, notes=notes or [], network_notes=network_notes or [],
        counts={"nodes": len(net.nodes), "edges": len(net.edges)}, vis_version=VIS_VERSION,
        banner=synthetic_notice(dataset or {}, lang), view=view and {**view, **{"stages": model.get("stages"),
                                                                               "rows": model.get("rows"),
                                                                               "unplaced": model.get("unplaced"),
                                                                               "context": model.get("context")}},
        tr=lambda key, **values: t(key, lang, **values), code=lambda group, value: code(group, value, lang),
        grades=GRADES, mark=MARK, sep="、" if lang != "en" else ", ")
