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
    "page.chain": ("产业链", "chain"),
    "page.segment": ("环节", "segment"),
    "page.segments": ("环节", "segments"),
    "page.enterprise": ("企业", "enterprise"),
    "page.enterprises": ("企业", "enterprises"),
    "page.chain_master": ("链主企业", "chain master"),
    "page.leading": ("龙头企业", "leading enterprise"),
    "page.member": ("成员企业", "member enterprise"),
    "page.count": ("折叠的企业", "collapsed enterprises"),
    "page.park": ("园区", "park"),
    "page.parks": ("园区", "parks"),
    "page.place": ("区县/功能区", "district / zone"),
    "page.places": ("区县/功能区", "districts / zones"),
    "page.districts": ("区县", "districts"),
    "page.policy": ("政策", "policy"),
    "page.policies": ("政策", "policies"),
    "page.all_chains": ("全部产业链", "all chains"),
    "page.supplies": ("供应 →", "supplies →"),
    "page.supplied_by": ("← 来自", "← supplied by"),
    "page.direct": ("直接支持", "direct support"),
    "page.inherited": ("继承支持", "inherited support"),
    "page.general": ("普适政策", "general policy"),
    "page.specific": ("专项政策", "chain-specific"),
    "page.chain_level": ("链级", "chain-level"),
    "page.segment_level": ("环节级", "segment-level"),
    "page.role": ("角色", "role"),
    "page.position": ("位置", "position"),
    "page.sequence": ("环节序号", "sequence"),
    "page.grade": ("评级", "grade"),
    "page.codes": ("行业代码", "industry codes"),
    "page.confidence": ("可信度", "confidence"),
    "page.level": ("级别", "level"),
    "page.completeness": ("完整度", "completeness"),
    "page.weighted": ("按位置加权", "weighted by position"),
    "page.basis": ("依据", "basis"),
    "page.via": ("经由", "via"),
    "page.issuer": ("发文机关", "issuer"),
    "page.doc_number": ("文号", "doc no."),
    "page.date": ("日期", "date"),
    "page.title": ("标题", "title"),
    "page.outlet": ("发布方", "outlet"),
    "page.address": ("地址", "address"),
    "page.group": ("类别", "group"),
    "page.reasons": ("原因", "reasons"),
    "page.notes": ("说明", "notes"),
    "page.unknown": ("未知", "unknown"),
    "page.more": ("另有 {n} 家", "{n} more"),
    "page.more_items": ("另有 {n} 项", "{n} more"),
    "page.count_label": ("+{n} 家企业", "+{n} enterprises"),
    "page.not_listed": ("另有 {n} 家未在本页列出(见导出的清单)",
                        "{n} more not listed on this page (see the exported lists)"),
    "page.unplaced": ("尚未划分环节", "no segment yet"),
    "page.unplaced_n": ("尚未划分环节 ({n})", "No segment yet ({n})"),
    "page.unplaced_note": ("以下企业属于本产业链,但数据中尚未归入任何环节;其所在环节的“空白”可能因此被高估。",
                           "These enterprises belong to the chain but the data places them in no segment yet; a "
                           "blank segment may be one of theirs."),
    "page.unplaced_count": ("{n} 家企业尚未划分环节", "{n} enterprises of this chain have no segment yet"),
    "page.positioned": ("定位于该产业链", "positioned for the chain"),
    "page.basis_carries": ("承载该产业链", "carries the chain"),
    "page.basis_positioned": ("定位于该产业链", "positioned for the chain"),
    "page.basis_enterprise": ("有该链企业", "holds enterprises of the chain"),
    "page.basis_park": ("经由园区", "through a park"),
    "page.basis_general": ("普适", "general"),
    # page furniture
    "page.chain_map_title": ("{chain} 产业链图谱", "{chain} chain map"),
    "page.overview_title": ("标志性产业链总览", "Landmark chains: overview"),
    "page.district_title": ("{place} 产业图谱", "{place} map"),
    "page.district_subtitle": ("政策 → 区县 → 园区 → 企业 → 产业链",
                               "policies → district → parks → enterprises → chains"),
    "page.report_title": ("{title}:规划报告", "{title}: planner's report"),
    "page.sources_title": ("来源", "Sources"),
    "page.tab_panorama": ("产业链全景图", "Chain panorama"),
    "page.tab_matrix": ("产业链 × 环节矩阵", "Chains × stages matrix"),
    "page.tab_network": ("网络图", "Network view"),
    "page.print": ("打印/导出 PDF", "Print / export PDF"),
    "page.find": ("查找", "Find"),
    "page.find_hint": ("企业、环节、园区、政策…", "enterprises, segments, parks, policies…"),
    "page.find_none": ("没有找到", "nothing found"),
    "page.fit": ("全图", "Fit"),
    "page.close": ("关闭", "Close"),
    "page.panel_hint": ("点击任一方框、企业、园区或政策,在此查看详情与来源(可选中复制)。",
                        "Click any box, enterprise, park or policy to see its facts and sources here (selectable, "
                        "copyable)."),
    "page.back": ("← 返回报告", "← back to the report"),
    "page.nodes_edges": ("{nodes} 个节点 · {edges} 条连线", "{nodes} nodes · {edges} edges"),
    "page.offline": ("离线可用,不连接网络", "works offline, makes no network requests"),
    "page.vis_credit": ("网络图绘制库(已内嵌):", "network view library (inlined):"),
    "page.details": ("详情", "details"),
    "page.no_enterprise": ("暂无本地企业", "no local enterprise"),
    "page.map_counts": ("{segments} 个环节 · {grades} · {enterprises} 家企业 · {policies} 项政策",
                        "{segments} segments · {grades} · {enterprises} enterprises · {policies} policies"),
    "page.grade_count": ("{grade} {n}", "{grade} {n}"),
    "page.legend": ("图例", "Legend"),
    "page.legend_unplaced": ("尚未划分环节的企业", "enterprises with no segment yet"),
    "page.chain_note": ("环节划分与行业代码为建模选择(来源类型:建模),{whose};"
                        "“空白”可能是数据缺失,不等于本地没有该产业。"
                        "点击方框可查看依据与来源。",
                        "The segment breakdown and codes are a modelling choice (source kind: modelling), {whose}; "
                        "a blank segment may be missing data rather than missing industry. Click a box for its "
                        "evidence and sources."),
    "page.index_note": ("环节划分与行业代码为建模选择,{whose};"
                        "“空白”指数据中没有本地企业被归入该环节,不等于现实中不存在。",
                        "Segments and codes are a modelling choice, {whose}; \"blank\" means no local enterprise in "
                        "the data is placed in the segment, not that none exists."),
    "page.whose_named": ("并非{name}官方口径", "not a fact of {name}"),
    "page.whose": ("并非官方口径", "not an official fact"),
    # overview matrix
    "page.matrix_note": ("每格列出该阶段的环节(按序号),环节标签按其评级着色;格底色 = 该阶段各环节评级的平均"
                         "(优势 3、潜力 2、薄弱 1、空白 0,四舍五入到最近的评级)。"
                         "点击产业链名称打开其全景图,点击格子查看详情。",
                         "Each cell lists the stage's segments (in order), each tag coloured by its grade; the cell's "
                         "background = the mean grade of the stage's segments (strong 3, potential 2, weak 1, blank 0, "
                         "rounded to the nearest grade). Click a chain to open its panorama, a cell for details."),
    "page.matrix_note_net": ("网络图:左为政策,中为产业链(颜色 = 完整度),右为承载的区县与功能区。",
                             "Network view: left, policies; middle, chains (colour = completeness); right, the "
                             "districts and zones carrying them."),
    "page.mean_grade": ("阶段平均评级", "mean grade of the stage"),
    "page.open_map": ("打开全景图", "open the panorama"),
    "page.stage_cell": ("{chain} · {stage}", "{chain} · {stage}"),
    # report index and sources
    "page.generated": ("生成时间", "Generated"),
    "page.n_chains": ("{n} 条标志性产业链", "{n} landmark chains"),
    "page.n_gaps": ("{n} 个空白或薄弱环节", "{n} blank or weak segments"),
    "page.n_sources": ("{n} 条来源", "{n} sources"),
    "page.nav_overview": ("总览图", "Overview"),
    "page.nav_chains": ("产业链一览", "Chains"),
    "page.nav_heat": ("区县覆盖热力图", "Coverage heat map"),
    "page.nav_gaps": ("缺口清单", "Gap list"),
    "page.nav_sources": ("来源", "Sources"),
    "page.heat_title": ("产业链 × 区县覆盖热力图", "Chains × districts coverage"),
    "page.heat_note": ("数字 = 该链在该区县/功能区的企业数(直接位于或通过园区);"
                       "◎ = 有来源称该地定位于该链;颜色越深企业越多;"
                       "悬停格子可看企业、园区与定位来源。",
                       "Number = the chain's enterprises in the place (located there or in a park there); ◎ = a "
                       "source positions the place for the chain; darker = more; hover a cell for the enterprises, "
                       "parks and positioning sources."),
    "page.heat_total": ("企业合计", "enterprises"),
    "page.heat_unlocated": ("位置未知", "no location"),
    "page.heat_positioned": ("◎ 定位", "◎ positioned"),
    "page.top_gaps": ("主要缺口", "top gaps"),
    "page.findings": ("提示", "findings"),
    "page.rank": ("排序", "rank"),
    "page.priority": ("优先级", "priority"),
    "page.no_chain_master": ("无链主", "no chain-master"),
    "page.no_specific_policy": ("无专项政策", "no chain-specific policy"),
    "page.unplaced_title": ("尚未划分环节的企业", "Enterprises with no segment yet"),
    "page.report_footer": ("本报告离线可用,不连接网络;来源地址可点击,在新窗口打开。",
                           "This report works offline and makes no network requests; source addresses are links that "
                           "open in a new window."),
    "page.sources_note": ("来源地址为链接,点击在新窗口打开(不发送来源页);部分地址为转载或镜像。",
                          "Addresses are links that open in a new window (no referrer is sent); some are reposts or "
                          "mirrors."),
    # --- indicators (targets against actuals) -----------------------------------------------------------------------
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
