"""The SHACL run: an rdflib graph, with the ontology, against ``ontology/shapes.ttl``; each result as a
:class:`kg.errors.Problem` naming the CSV row it came from when it can. Used by the dataset check
(:func:`kg.build.shacl_problems`) and by restore (:func:`kg.snapshot.restore_snapshot`)."""

from __future__ import annotations

from collections import defaultdict

from kg.errors import Problem


def run_shacl(data, shapes, ontology, locate: dict[str, tuple[str, int]] | None = None) -> list[Problem]:
    """Validate an rdflib graph (or the union of a dataset's graphs), with the ontology, against the shapes.

    Args:
        data: an rdflib ``Graph`` or ``Dataset`` (a dataset's named graphs are validated together).
        shapes: the SHACL shapes.
        ontology: the ontology, so that ``sh:class`` sees subclasses.
        locate: entity IRI → (file, line), so that a problem names the CSV row it came from.

    Returns:
        One problem per SHACL result (empty when the data conforms).
    """
    import pyshacl
    from rdflib import Graph
    from rdflib.namespace import RDF, SH

    union = Graph()
    for s, p, o, *_ in data.quads((None, None, None, None)) if hasattr(data, "quads") else data:
        union.add((s, p, o))
    union += ontology
    conforms, report, _ = pyshacl.validate(union, shacl_graph=shapes, inference="none", allow_warnings=True)
    if conforms:
        return []
    locate = locate or {}
    out = []
    grouped: dict[tuple, int] = defaultdict(int)
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = str(report.value(result, SH.focusNode))
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        message = str(report.value(result, SH.resultMessage) or "violates a shape")
        file, line = locate.get(focus, ("shapes", 0))
        column = str(path).rpartition("#")[2].rpartition("/")[2] if path is not None else ""
        shown = str(value) if value is not None else focus
        key = (file, line, column, shown, message)
        grouped[key] += 1
        if grouped[key] == 1:
            out.append(Problem(file, line, column, shown, f"{message} ({focus})"))
    return sorted(out, key=lambda p: (p.file, p.line, p.column))
