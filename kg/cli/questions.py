"""The planner's questions: chains, entities and their profiles, policies, enterprises, parks, indicators, gaps,
coverage and mismatches, each printed or written as a table, CSV, JSON or xlsx."""

from __future__ import annotations

import click

from kg import describe, profiles, questions
from kg.cli.common import _data_options, _emit, _format_option, _open


@click.command()
@click.option("--tier", type=click.Choice(["landmark", "key", "all"]), default="all", show_default=True)
@_format_option
@_data_options
def chains(tier, fmt, data_dir, store_path, lang):
    """List the industrial chains (13 landmark; 34 key are declared, only sourced candidates are listed).

    Example: chainkg chains --tier landmark --format json
    """
    from kg.views import chains_view

    result = questions.list_chains(_open(data_dir, store_path), tier)
    _emit(chains_view(result, tier, lang), fmt, result["chains"])


@click.command()
@click.argument("name")
@_format_option
@_data_options
def show(name, fmt, data_dir, store_path, lang):
    """Show any entity (chain, enterprise, park, district, policy by title or 文号), its links and their sources.

    Example: chainkg show 济发〔2023〕7号
    """
    from kg.views import show_view

    result = describe.describe(_open(data_dir, store_path), name)
    _emit(show_view(result, lang), fmt, result)


@click.command()
@_format_option
@_data_options
def stats(fmt, data_dir, store_path, lang):
    """Counts per class, facts per confidence level, unsourced facts (must be 0).

    Example: chainkg stats --format json
    """
    from kg.views import stats_view

    result = describe.stats(_open(data_dir, store_path))
    _emit(stats_view(result, lang), fmt, result)


@click.command()
@click.argument("chain")
@_format_option
@_data_options
def policies(chain, fmt, data_dir, store_path, lang):
    """The policies that support a chain: direct, inherited (from its landmark chain) or general (city-wide).

    Example: chainkg policies 集成电路 --format json
    """
    from kg.views import policies_view

    store = _open(data_dir, store_path)
    entity = questions.resolve_chain(store, chain)
    rows = questions.chain_policies(store, entity)
    _emit(policies_view(rows, entity.name(lang), lang), fmt, rows)


@click.command()
@click.argument("chain")
@_format_option
@_data_options
def chain(chain, fmt, data_dir, store_path, lang):
    """A chain's profile: segments upstream → downstream with their enterprises, parks, districts, policies, targets.

    Example: chainkg chain 现代医药
    """
    from kg.views import chain_view

    profile = questions.chain_profile(_open(data_dir, store_path), chain)
    _emit(chain_view(profile, lang), fmt, profile)


@click.command()
@click.argument("chain")
@click.option("--segment", help="Only enterprises placed in this segment of the chain.")
@click.option("--district", help="Only enterprises located in this district or zone (or in a park there).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=1), help="Rows per page.")
@click.option("--offset", default=0, show_default=True, type=click.IntRange(min=0), help="Rows to skip first.")
@_format_option
@_data_options
def enterprises(chain, segment, district, limit, offset, fmt, data_dir, store_path, lang):
    """The local enterprises of a chain, chain-masters (链主) first, a page at a time (JSON: the page's rows).

    Example: chainkg enterprises 汽车 --district 莱芜区 --limit 20 --offset 20
    """
    from kg.views import enterprises_view

    store = _open(data_dir, store_path)
    entity = questions.resolve_chain(store, chain)
    page = questions.chain_enterprises(store, entity, segment=segment, district=district, limit=limit, offset=offset)
    _emit(enterprises_view(page["rows"], entity.name(lang), lang, page), fmt, page["rows"])


@click.command()
@click.argument("chain")
@_format_option
@_data_options
def parks(chain, fmt, data_dir, store_path, lang):
    """The parks that carry a chain (stated by a source, or hosting its enterprises).

    Example: chainkg parks 现代医药
    """
    from kg.views import parks_view

    store = _open(data_dir, store_path)
    entity = questions.resolve_chain(store, chain)
    rows = questions.chain_parks(store, entity)
    _emit(parks_view(rows, entity.name(lang), lang), fmt, rows)


@click.command()
@click.argument("name")
@_format_option
@_data_options
def district(name, fmt, data_dir, store_path, lang):
    """A district or zone: its positioning, the chains, parks and enterprises it carries, the policies that apply.

    Example: chainkg district 历城区
    """
    from kg.views import district_view

    profile = profiles.district_profile(_open(data_dir, store_path), name)
    _emit(district_view(profile, lang), fmt, profile)


@click.command()
@click.argument("name_or_number")
@_format_option
@_data_options
def policy(name_or_number, fmt, data_dir, store_path, lang):
    """A policy document (by title, short name or 文号): what it supports, cites or evaluates, the targets it sets.

    Example: chainkg policy 济发〔2023〕7号
    """
    from kg.views import policy_view

    profile = profiles.policy_profile(_open(data_dir, store_path), name_or_number)
    _emit(policy_view(profile, lang), fmt, profile)


@click.command()
@click.argument("name", required=False)
@click.option("--all", "include_single", is_flag=True,
              help="Every figure, also those with one actual and no target (default without NAME: the measures with "
                   "a target or at least two actuals).")
@_format_option
@_data_options
def indicators(name, include_single, fmt, data_dir, store_path, lang):
    """Targets against actuals: each measure's actuals by year, its target and the progress (share of target,
    reached / on track / behind, with the basis), qualifiers kept (近 800 家 is never 800).

    NAME narrows to one chain, district or chain system.

    Example: chainkg indicators 汽车 --format csv
    """
    from kg.indicator_views import indicators_view
    from kg.indicators import indicator_series

    result = indicator_series(_open(data_dir, store_path), name, include_single)
    _emit(indicators_view(result, lang, include_single or name is not None), fmt, result)


_TIER = click.option("--tier", type=click.Choice(["landmark", "key", "all"]), default="landmark", show_default=True,
                     help="Which chains: the 13 landmark chains, the key-chain candidates, or both.")


@click.command()
@click.argument("chain", required=False)
@_format_option
@_data_options
def gaps(chain, fmt, data_dir, store_path, lang):
    """The 补链 list: every segment of a chain graded 优势/潜力/薄弱/空白 (strong/potential/weak/blank), ranked, with
    why and what exists locally upstream and downstream. All landmark chains when CHAIN is omitted.

    Example: chainkg gaps 集成电路 --format json
    """
    from kg.gap_views import gaps_view
    from kg.projection import chain_report, tier_reports, tier_unknowns

    store = _open(data_dir, store_path)
    whole = chain is None  # an empty CHAIN ("") is a name to resolve (and refused), not "all chains"
    reports = tier_reports(store, "landmark") if whole else [chain_report(store, chain)]
    notes = tier_unknowns(store, "landmark") if whole else []
    view = gaps_view(reports, lang, "csv" if fmt == "xlsx" else fmt, notes)  # files: the full ranked list, one sheet
    _emit(view, fmt, [row for report in reports for row in report["gaps"]])


@click.command()
@click.option("--by", type=click.Choice(["district", "grade", "bridge"]), default="district", show_default=True,
              help="Chains × districts and zones (enterprise counts), chains × grades, or bridging entities.")
@_TIER
@_format_option
@_data_options
def coverage(by, tier, fmt, data_dir, store_path, lang):
    """How the chains cover the city: enterprises per district or zone, segment grades and completeness per chain, or
    the enterprises, parks and industry classes that bridge chains.

    Example: chainkg coverage --format csv > coverage.csv
    """
    from kg import projection
    from kg.gap_views import coverage_view

    store = _open(data_dir, store_path)
    measure = {"district": projection.coverage_matrix, "grade": projection.grade_table, "bridge": projection.bridges}
    result = measure[by](store, tier)
    _emit(coverage_view(result, by, lang), fmt, result)


@click.command()
@_TIER
@_format_option
@_data_options
def mismatches(tier, fmt, data_dir, store_path, lang):
    """Where positioning and presence disagree: places positioned for a chain with no enterprise or park of it, and
    chains with enterprises or parks in a place not positioned for them; each with the source of the positioning.

    Example: chainkg mismatches --format csv
    """
    from kg.gap_views import mismatches_view
    from kg.projection import mismatches as find_mismatches

    rows = find_mismatches(_open(data_dir, store_path), tier)
    _emit(mismatches_view(rows, lang), fmt, rows)


#: The commands of this module, registered on the group by :mod:`kg.cli`.
COMMANDS = (chains, show, stats, policies, chain, enterprises, parks, district, policy, indicators,
            gaps, coverage, mismatches)
