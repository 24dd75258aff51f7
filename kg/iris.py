"""The ontology IRIs the query path needs, as plain strings.

:mod:`kg.namespace` is the closed vocabulary (an rdflib ``DefinedNamespace``), but importing rdflib costs about
160 ms, a third of a planner's command. Answering a question needs rdflib nowhere, so the questions and the name
resolver take their few IRIs from here; ``tests/test_ontology.py`` checks each one against :class:`kg.namespace.CKG`.
"""

from __future__ import annotations

CKG_NS = "https://w3id.org/chainkg/ontology#"


class CKG:
    """A closed set of ckg: IRIs as strings (a typo raises ``AttributeError``, as with :class:`kg.namespace.CKG`)."""

    ChainSegment = CKG_NS + "ChainSegment"
    ChainSystem = CKG_NS + "ChainSystem"
    Enterprise = CKG_NS + "Enterprise"
    Indicator = CKG_NS + "Indicator"
    IndustrialChain = CKG_NS + "IndustrialChain"
    KeyChain = CKG_NS + "KeyChain"
    LandmarkChain = CKG_NS + "LandmarkChain"
    Measure = CKG_NS + "Measure"
    Park = CKG_NS + "Park"
    Place = CKG_NS + "Place"
    PolicyDocument = CKG_NS + "PolicyDocument"
