"""The words a planner reads, in Chinese and English: one catalogue.

Every label shown in a table, a CSV header or value, a note, a gap reason, the report or a map is looked up here by
key, so the wording lives in one place and both languages stay complete (a test checks every key has both).
Chinese is the default. Names from the data (chains, enterprises, districts) are not here: they come from the graph,
with their English form where the data has one.

- :data:`MESSAGES`: ``key -> (zh, en)``; ``{name}`` fields are filled by :func:`t`.
- :data:`CODES`: ``group -> code -> (zh, en)`` for the code values rows carry (``upstream``, ``blank``, ``direct``…).
"""

from __future__ import annotations

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

#: Code values → labels. Groups that the ontology also labels (positions, levels, confidence, source kinds, measure
#: kinds, chain groups) must agree with its ``skos:prefLabel`` (tested).
CODES: dict[str, dict[str, tuple[str, str]]] = {
    "position": {"upstream": ("上游", "upstream"), "midstream": ("中游", "midstream"),
                 "downstream": ("下游", "downstream"), "support": ("配套支撑", "support")},
    "grade": {"strong": ("优势", "strong"), "potential": ("潜力", "potential"), "weak": ("薄弱", "weak"),
              "blank": ("空白", "blank")},
    "support": {"direct": ("直接", "direct"), "inherited": ("继承", "inherited"), "general": ("普适", "general")},
    "role": {"chain_master": ("链主", "chain master"), "leading": ("龙头", "leading"), "member": ("成员", "member")},
    "confidence": {"confirmed": ("已证实", "confirmed"), "partial": ("部分证实", "partial"),
                   "uncertain": ("未证实", "uncertain")},
    "level": {"national": ("国家级", "national level"), "provincial": ("省级", "provincial level"),
              "municipal": ("市级", "municipal level"), "district": ("区县级", "district level")},
    "bool": {"yes": ("是", "yes"), "no": ("否", "no")},
}

#: Message keys → ``(zh, en)``. Each area of the code keeps its keys in its own block below.
MESSAGES: dict[str, tuple[str, str]] = {
    # --- common ---------------------------------------------------------------------------------------------------
    "none": ("(无)", "(none)"),
    "unknown": ("—", "—"),
    "sources": ("来源", "sources"),
    # --- tables (kg/views.py, kg/gap_views.py, kg/analysis.py reasons) -------------------------------------------
    # --- pages (report, chain maps, overview) -----------------------------------------------------------------------
    # --- indicators (targets against actuals) -----------------------------------------------------------------------
    "indicators.title": ("目标与进展", "Targets and progress"),
    "indicators.title_of": ("{subject}:目标与进展", "{subject}: targets and progress"),
    "indicators.h.measure": ("度量", "measure"),
    "indicators.h.subject": ("对象", "subject"),
    "indicators.h.actuals": ("实际值(按年)", "actuals by year"),
    "indicators.h.target": ("目标", "target"),
    "indicators.h.progress": ("完成度", "of target"),
    "indicators.h.status": ("进展", "status"),
    "indicators.h.basis": ("依据", "basis"),
    "indicators.h.sources": ("来源", "sources"),
    "indicators.note": ("完成度 = 最新实际值 ÷ 目标。进展的判断为建模选择,非官方评估:实际值能证明达到目标为“已达成”;"
                        "目标年已到而未达到为“落后”;否则与首个有年份的实际值至目标年目标的直线路径比较。"
                        "带“超过、近、约”等限定词的数值是下限、上限或约数,只有限定词能证明时才算达成(“近800”不算800)。",
                        "Share of target = latest actual ÷ target. The status is a modelling choice, not an official "
                        "assessment: reached when the actual proves the target met; behind when the target year has "
                        "passed without that; otherwise compared with a straight path from the first dated actual to "
                        "the target in its year. Figures qualified as more than, nearly or about are "
                        "bounds or approximations and count as reaching a target only when the bound proves it "
                        "(nearly 800 is not 800)."),
    "indicators.tracked_note": ("列出有目标或有两个以上实际值的度量;--all 列出全部数值。",
                                "Lists the measures with a target or at least two actuals; --all lists every figure."),
    "indicators.none": ("(没有数值)", "(no figures)"),
    "indicators.year": ("{year}年", "{year}"),
    "indicators.no_year": ("年份未注明", "year not stated"),
    "indicators.target_in": ("{figure}({year}年)", "{figure} ({year})"),
    "indicators.target_undated": ("{figure}(目标年未注明)", "{figure} (no target year)"),
    "indicators.qualifier.more_than": ("超过", "more than"),
    "indicators.qualifier.at_least": ("不低于", "at least"),
    "indicators.qualifier.nearly": ("近", "nearly"),
    "indicators.qualifier.less_than": ("不到", "less than"),
    "indicators.qualifier.about": ("约", "about"),
    "indicators.status.reached": ("已达成", "reached"),
    "indicators.status.on_track": ("按进度", "on track"),
    "indicators.status.behind": ("落后", "behind"),
    "indicators.status.undetermined": ("无法判断", "undetermined"),
    "indicators.status.no_actual": ("无实际值", "no actual yet"),
    "indicators.basis.met": ("{year}实际值 {actual} 已达到目标 {target}", "the {year} actual {actual} meets the target "
                             "{target}"),
    "indicators.basis.target_year_passed": ("目标年 {target_year} 已到,{year}实际值 {actual} 未达到目标 {target}",
                                            "target year {target_year} reached; the {year} actual {actual} falls "
                                            "short of {target}"),
    "indicators.basis.linear_path": ("直线路径:{base_year}年 {base} → {target_year}年 {target},{year}年应达 {expected}",
                                     "straight path: {base} in {base_year} → {target} in {target_year} asks for "
                                     "{expected} in {year}"),
    "indicators.basis.bounds_undecided": ("实际值 {actual} 是上限或下限,不足以判断", "the actual {actual} is a bound "
                                          "that cannot decide it"),
    "indicators.basis.one_actual": ("只有一个有年份的实际值,无路径起点", "one dated actual only: no starting point for "
                                    "a path"),
    "indicators.basis.no_year": ("实际值 {actual} 未注明年份", "the actual {actual} has no year"),
    "indicators.basis.no_actual": ("尚无同一度量的实际值", "no actual of this measure yet"),
    "indicators.unit.亿元": ("亿元", "× 100 million yuan"),
    "indicators.unit.万元": ("万元", "× 10,000 yuan"),
    "indicators.unit.辆": ("辆", "vehicles"),
    "indicators.unit.亩": ("亩", "mu"),
    "indicators.unit.平方公里": ("平方公里", "km²"),
    "indicators.page.intro": ("每个图表示一个度量:圆点为实际值,虚线为目标;▲ 表示数值是下限(超过、突破),▼ 表示上限(近),"
                              "≈ 表示约数。", "One chart per measure: dots are actuals, the dashed line the target; ▲ "
                              "marks a lower bound (more than), ▼ an upper bound (nearly), ≈ an approximation."),
    "indicators.page.back": ("← 返回报告", "← back to the report"),
    "indicators.page.actual": ("实际值", "actual"),
    "indicators.page.target": ("目标", "target"),
    "indicators.page.chart": ("{measure}({subject})", "{measure} ({subject})"),
    # --- formats and progress (CSV/xlsx files, terminal, long work) ---------------------------------------------------
}


def lang_of(lang: str | None) -> int:
    """The column of a language in the catalogue (anything but ``en`` is Chinese, the default)."""
    return 1 if lang == "en" else 0


def t(key: str, lang: str | None = DEFAULT_LANG, /, **values) -> str:
    """The message ``key`` in ``lang``, its ``{fields}`` filled from ``values``; an unknown key is a bug (KeyError)."""
    text = MESSAGES[key][lang_of(lang)]
    return text.format(**values) if values else text


def code(group: str, value: str | None, lang: str | None = DEFAULT_LANG) -> str | None:
    """The label of a code value (``code("position", "upstream")`` → ``上游``); an unlisted value is returned as is."""
    if value is None:
        return None
    labels = CODES[group].get(value)
    return labels[lang_of(lang)] if labels else value
