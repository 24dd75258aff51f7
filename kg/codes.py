"""The closed code lists, written once: CSV value → ontology term.

The table specs (:mod:`kg.tables`) take their allowed values from here, the build (:mod:`kg.build`) its terms, and
``tests/test_ontology.py`` checks every list against the ontology: a list of individuals must match the
``skos:notation`` of its class's individuals exactly, and every class or property named here must be declared.
"""

from __future__ import annotations

from kg.iris import CKG_NS

ORG_NS = "http://www.w3.org/ns/org#"


def _ckg(mapping: dict[str, str]) -> dict[str, str]:
    return {code: CKG_NS + local for code, local in mapping.items()}


# --- lists of individuals: code == the individual's skos:notation ------------------------------------------------
CONFIDENCE = _ckg({"confirmed": "Confirmed", "partial": "Partial", "uncertain": "Uncertain"})
SOURCE_KIND = _ckg({"document": "DocumentSource", "dataset": "DatasetSource", "modelling": "ModellingSource",
                    "synthetic": "SyntheticSource"})
POSITION = _ckg({"upstream": "Upstream", "midstream": "Midstream", "downstream": "Downstream", "support": "Support"})
GROUP = _ckg({"advantage": "AdvantageGroup", "characteristic": "CharacteristicGroup", "emerging": "EmergingGroup"})
LEVEL = _ckg({"national": "NationalLevel", "provincial": "ProvincialLevel", "municipal": "MunicipalLevel",
              "district": "DistrictLevel"})
INDICATOR_KIND = _ckg({"actual": "Actual", "target": "Target"})
#: How a figure's source qualifies it (超过900, 近800, 约798): the value is a bound or an approximation, never exact.
QUALIFIER = _ckg({"more_than": "MoreThan", "at_least": "AtLeast", "nearly": "Nearly", "less_than": "LessThan",
                  "about": "About"})

#: ontology class of the individuals → the list (checked against skos:notation both ways).
INDIVIDUAL_LISTS: dict[str, dict[str, str]] = {
    CKG_NS + "ConfidenceLevel": CONFIDENCE,
    CKG_NS + "SourceKind": SOURCE_KIND,
    CKG_NS + "ChainPosition": POSITION,
    CKG_NS + "ChainGroup": GROUP,
    CKG_NS + "AdministrativeLevel": LEVEL,
    CKG_NS + "IndicatorKind": INDICATOR_KIND,
    CKG_NS + "ValueQualifier": QUALIFIER,
}

# --- lists of classes ------------------------------------------------------------------------------------------
TIER = _ckg({"landmark": "LandmarkChain", "key": "KeyChain"})
PLACE_KIND = {"city": (CKG_NS + "City", CKG_NS + "AdministrativeDivision"),
              "district": (CKG_NS + "District", CKG_NS + "AdministrativeDivision"),
              "county": (CKG_NS + "County", CKG_NS + "AdministrativeDivision"),
              "functional_zone": (CKG_NS + "FunctionalZone",)}
PARK_KIND = _ckg({"industrial_park": "IndustrialPark", "development_zone": "DevelopmentZone", "base": "IndustrialBase",
                  "cluster_area": "ClusterArea"})
DOC_TYPE = _ckg({"regulation": "Regulation", "plan": "Plan", "action_plan": "ActionPlan",
                 "implementation_plan": "ImplementationPlan", "opinion": "Opinion", "measures": "Measures",
                 "evaluation_report": "EvaluationReport", "notice": "Notice", "outline": "Outline"})
CHAIN_STATUS = ("confirmed", "candidate")
PARK_LEVELS = ("national", "provincial", "municipal")
YES_NO = ("yes", "no")
ALIAS_KIND = ("abbreviation", "former_name", "short_name", "translation", "variant")
LANG = ("zh", "en")

# --- links.csv predicates → properties ---------------------------------------------------------------------------
LINK = {**_ckg({"chain_master_of": "chainMasterOf", "leading_in": "leadingEnterpriseOf", "member_of": "memberOfChain",
                "in_segment": "inSegment", "located_in": "locatedIn", "in_park": "inPark",
                "carries": "carriesChain", "positioned_for": "positionedFor", "applies_to": "appliesTo",
                "cites": "cites", "evaluates": "evaluates", "draft_of": "draftOf"}),
        "subsidiary_of": ORG_NS + "subOrganizationOf"}
#: ``supports`` becomes one of two properties, by the object's id prefix.
SUPPORTS = _ckg({"chain:": "supportsChain", "seg:": "supportsSegment"})
