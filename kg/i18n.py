"""The words a planner reads, in Chinese and English: one catalogue.

Every label shown in a table, a CSV header or value, a note, a gap reason, the report or a map is looked up here by
key, so the wording lives in one place and both languages stay complete (a test checks every key has both).
Chinese is the default. Names from the data (chains, enterprises, districts) are not here: they come from the graph,
with their English form where the data has one.

- :data:`MESSAGES`: ``key -> (zh, en)``; ``{name}`` fields are filled by :func:`t`.
- :data:`CODES`: ``group -> code -> (zh, en)`` for the code values rows carry (``upstream``, ``blank``, ``direct``…).
- :class:`Note`: a message made by the library (a gap reason, what the data cannot show): English text that keeps its
  key and fields, so JSON shows the English and a view shows it in the reader's language (:func:`say`).
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
    # --- ontology individuals (skos:prefLabel, tested) ---
    "chain_group": {"advantage": ("优势产业链", "advantage group"),
                    "characteristic": ("特色产业链", "characteristic group"),
                    "emerging": ("新兴产业链", "emerging group")},
    "indicator_kind": {"actual": ("实际值", "actual"), "target": ("目标值", "target")},
    "source_kind": {"document": ("文献", "document"), "dataset": ("数据集", "dataset"),
                    "modelling": ("建模选择", "modelling choice"), "synthetic": ("合成数据", "synthetic data")},
    # --- ontology classes (rdfs:label, tested): a local class name → its label ---
    "class": {
        "ActionPlan": ("行动计划", "action plan"), "AdministrativeDivision": ("行政区划", "administrative division"),
        "AdministrativeLevel": ("行政层级", "administrative level"), "Assertion": ("断言", "assertion"),
        "ChainGroup": ("产业链分组", "chain group"), "ChainPosition": ("链上位置", "chain position"),
        "ChainSegment": ("产业链环节", "chain segment"), "ChainSystem": ("产业链体系", "industrial chain system"),
        "City": ("市", "city"), "ClusterArea": ("产业集聚区", "cluster area"),
        "ConfidenceLevel": ("可信度", "confidence level"), "County": ("县", "county"),
        "DevelopmentZone": ("开发区", "development zone"), "District": ("市辖区", "district"),
        "Enterprise": ("企业", "enterprise"), "EvaluationReport": ("评估报告", "evaluation report"),
        "FunctionalZone": ("功能区", "functional zone"), "ImplementationPlan": ("实施方案", "implementation plan"),
        "Indicator": ("指标", "indicator"), "IndicatorKind": ("指标类型", "indicator kind"),
        "Measure": ("度量", "measure"), "ValueQualifier": ("数值限定", "value qualifier"),
        "IndustrialBase": ("产业基地", "industrial base"), "IndustrialChain": ("产业链", "industrial chain"),
        "IndustrialPark": ("产业园区", "industrial park"), "IndustryClass": ("国民经济行业类别", "industry class"),
        "KeyChain": ("重点产业链", "key chain"), "LandmarkChain": ("标志性产业链", "landmark chain"),
        "Measures": ("政策措施", "measures"), "MemberPage": ("成员分页", "member page"), "Notice": ("通知", "notice"),
        "Opinion": ("意见", "opinion"), "Outline": ("纲要", "outline"), "Park": ("园区", "park"),
        "Place": ("地点", "place"), "Plan": ("规划", "plan"), "PolicyDocument": ("政策文件", "policy document"),
        "Regulation": ("条例", "regulation"), "Source": ("来源", "source"), "SourceKind": ("来源类型", "source kind"),
        "Tally": ("计数", "tally"),
    },
    "tier": {"landmark": ("标志性产业链", "landmark chain"), "key": ("重点产业链", "key chain")},
    "park_kind": {"industrial_park": ("产业园区", "industrial park"),
                  "development_zone": ("开发区", "development zone"),
                  "base": ("产业基地", "industrial base"), "cluster_area": ("产业集聚区", "cluster area")},
    # --- units of figures (the data's own words) ---
    "unit": {"亿元": ("亿元", "100 million yuan"), "平方公里": ("平方公里", "km²"), "亩": ("亩", "mu"),
             "辆": ("辆", "vehicles"), "家": ("家", "number"), "个": ("个", "number"), "项": ("项", "number"),
             "位": ("位", "number"), "只": ("只", "number")},
    # --- code values of the questions' rows ---
    "status": {"confirmed": ("已确认", "confirmed"), "candidate": ("候选", "candidate")},
    # what a chain's 2030 target measures (chains.csv target_note; the dossier words them in English: a translation)
    "target_note": {"scale": ("规模", "scale"), "core industry": ("核心产业", "core industry")},
    "entity_kind": {"chain": ("产业链", "chain"), "segment": ("环节", "segment"), "enterprise": ("企业", "enterprise"),
                    "park": ("园区", "park"), "place": ("地点", "place"), "policy": ("政策", "policy"),
                    "system": ("产业链体系", "chain system"), "measure": ("度量", "measure"),
                    "indicator": ("指标", "indicator"), "unknown": ("未知", "unknown")},
    "basis": {"carries": ("承载", "carries"), "positioned": ("定位", "positioned"),
              "enterprise": ("有企业", "enterprise"), "park": ("有园区", "park"), "city": ("全市适用", "city-wide"),
              "applies": ("适用", "applies"), "jurisdiction": ("辖区适用", "jurisdiction")},
    "direction": {"out": ("引出", "out"), "in": ("引入", "in")},
    "relation": {"supports": ("支持", "supports"), "applies_to": ("适用于", "applies to"), "cites": ("引用", "cites"),
                 "evaluates": ("评估", "evaluates"), "draft_of": ("草案", "draft of")},
    "mismatch": {"positioned_without_presence": ("有定位无企业", "positioned, nothing there"),
                 "presence_without_positioning": ("有企业无定位", "present, not positioned")},
    "bridge_kind": {"enterprise": ("企业", "enterprise"), "park": ("园区", "park"),
                    "industry_class": ("行业类别", "industry class")},
    "flag": {"cut_gap": ("断点", "cut gap"), "high_betweenness": ("高介数", "high betweenness"),
             "local_upstream": ("本地有上游", "local upstream"), "local_downstream": ("本地有下游", "local downstream"),
             "single_enterprise": ("单一企业", "single enterprise"), "no_chain_master": ("无链主", "no chain-master"),
             "no_specific_policy": ("无专项政策", "no chain-specific policy")},
}

#: Message keys → ``(zh, en)``. Each area of the code keeps its keys in its own block below.
MESSAGES: dict[str, tuple[str, str]] = {
    # --- common ---------------------------------------------------------------------------------------------------
    "none": ("(无)", "(none)"),
    "unknown": ("—", "—"),
    "sources": ("来源", "sources"),
    # --- tables (kg/views.py, kg/gap_views.py, kg/analysis.py reasons) -------------------------------------------
    "tbl.names_zh_only": ("数据中没有中文形式的名称按原文显示。",
                          "Names without an English form in the data are shown in Chinese."),
    "tbl.list_sep": ("、", ", "),
    "tbl.ellipsis": ("…", "…"),
    "tbl.more": ("… 共 {total} 个", "… {total} in all"),
    "tbl.page": ("第 {first:,}-{last:,} 行,共 {total:,} 行", "rows {first:,}-{last:,} of {total:,}"),
    "tbl.page_next": ("下一页:--offset {last} (--limit {limit})", "next page: --offset {last} (--limit {limit})"),
    "tbl.page_empty": ("偏移 {offset} 处没有行(共 {total:,} 行)", "no rows at offset {offset} ({total:,} in all)"),
    "tbl.named_note": ("数量:本链在该处的企业数(构建时统计);不超过 10 家时列出名称。",
                       "n: the chain's enterprises there (counted by the build); names listed where there are at "
                       "most 10."),
    # column headers
    "col.chain": ("产业链", "chain"), "col.tier": ("层级", "tier"), "col.group": ("分组", "group"),
    "col.status": ("状态", "status"), "col.target_2030": ("2030年目标(亿元)", "2030 target (100 million yuan)"),
    "col.sources": ("来源", "sources"), "col.title": ("标题", "title"), "col.doc_number": ("文号", "doc no."),
    "col.issuer": ("发文机关", "issuer"), "col.date": ("日期", "date"), "col.in_force": ("现行有效", "in force"),
    "col.support": ("支持方式", "support"), "col.enterprise": ("企业", "enterprise"), "col.role": ("角色", "role"),
    "col.segments": ("环节", "segments"), "col.districts": ("区县", "districts"), "col.parks": ("园区", "parks"),
    "col.confidence": ("可信度", "confidence"), "col.park": ("园区", "park"), "col.level": ("级别", "level"),
    "col.district": ("区县", "district"), "col.basis": ("依据", "basis"), "col.n": ("企业数", "n"),
    "col.via_enterprises": ("经由企业", "via enterprises"), "col.segment_count": ("环节数", "segments"),
    "col.enterprise_count": ("企业数", "enterprises"), "col.policy_count": ("政策数", "policies"),
    "col.seq": ("序", "#"), "col.segment": ("环节", "segment"), "col.position": ("位置", "position"),
    "col.enterprises": ("企业", "enterprises"), "col.supplies_to": ("供给", "supplies to"),
    "col.codes": ("GB/T 4754 行业代码", "GB/T 4754 codes"), "col.place": ("地点", "place"), "col.via": ("经由", "via"),
    "col.measure": ("指标", "measure"), "col.value": ("数值", "value"), "col.unit": ("单位", "unit"),
    "col.year": ("年份", "year"), "col.kind": ("类型", "kind"),
    "col.positioning": ("产业定位(来源原文)", "positioning (as the sources word it)"),
    "col.applies_as": ("适用方式", "applies as"), "col.field": ("字段", "field"), "col.dir": ("方向", "dir"),
    "col.relation": ("关系", "relation"), "col.target": ("对象", "target"), "col.property": ("属性", "property"),
    "col.what": ("项目", "what"), "col.count": ("数量", "count"), "col.grade": ("评级", "grade"),
    "col.rank": ("排名", "#"), "col.priority": ("优先级", "priority"), "col.why": ("原因", "why"),
    "col.local_upstream": ("本地上游", "local upstream"), "col.local_downstream": ("本地下游", "local downstream"),
    "col.policies": ("政策", "policies"), "col.complete": ("完整度", "complete"),
    "col.weighted": ("加权完整度", "weighted"), "col.unplaced": ("未划分环节", "unplaced"),
    "col.chain_masters": ("链主", "chain-masters"), "col.specific_policies": ("专项政策", "specific policies"),
    "col.general_policies": ("普适政策", "general policies"), "col.cut_gaps": ("断点", "cut gaps"),
    "col.flags": ("提示", "flags"), "col.total": ("合计", "total"), "col.unlocated": ("未定位", "unlocated"),
    "col.entity": ("主体", "entity"), "col.chain_n": ("产业链数", "chains"), "col.which": ("涉及产业链", "which"),
    "col.betweenness": ("介数", "betweenness"), "col.pair": ("产业链对", "chains"), "col.shared": ("共有", "shared"),
    "col.industry_classes": ("行业类别", "industry classes"), "col.present": ("现有企业与园区", "present there"),
    "col.positioning_worded": ("产业定位(原文)", "positioning (as worded)"),
    # section titles
    "title.chains.landmark": ("标志性产业链", "landmark chains"), "title.chains.key": ("重点产业链", "key chains"),
    "title.chains.all": ("产业链", "chains"), "title.policies": ("{chain}:支持政策", "{chain}: supporting policies"),
    "title.enterprises": ("{chain}:企业", "{chain}: enterprises"), "title.parks": ("{chain}:园区", "{chain}: parks"),
    "title.segments": ("环节(上游 → 下游)", "segments (upstream → downstream)"),
    "title.places": ("{name}:区县与功能区", "{name}: districts and zones"),
    "title.figures_targets": ("{name}:指标与目标", "{name}: figures and targets"),
    "title.positioning": ("{name} ({code}):产业定位", "{name} ({code}): positioning"),
    "title.district_chains": ("{name}:产业链", "{name}: chains"),
    "title.district_parks": ("{name}:园区", "{name}: parks"),
    "title.district_enterprises": ("{name}:企业", "{name}: enterprises"),
    "title.district_policies": ("{name}:政策", "{name}: policies"),
    "title.figures": ("{name}:指标", "{name}: figures"), "title.links": ("关联", "links"),
    "title.targets_set": ("设定的目标", "targets set"),
    "title.facts": ("{name} ({kind}):事实", "{name} ({kind}): facts"),
    "title.links_in": ("指向它的关联", "links to it"), "title.stats": ("chainkg 统计", "chainkg stats"),
    "title.gaps": ("补链清单", "ranked gaps"), "title.chain_gaps": ("{chain}:补链清单", "{chain}: ranked gaps"),
    "title.coverage_by_chain": ("各产业链覆盖情况", "coverage by chain"),
    "title.chains_grades": ("产业链 × 评级", "chains × grades"),
    "title.chains_places": ("产业链 × 区县与功能区({tier})", "chains × districts and zones ({tier})"),
    "title.bridges": ("连接多条产业链的企业、园区与行业类别", "bridging enterprises, parks and industry classes"),
    "title.pairs": ("产业链对及其关联", "chain pairs and what links them"),
    "title.mismatches": ("定位与实际不符", "positioning mismatches"),
    # notes
    "note.segments": ("环节划分与行业代码为建模选择(来源类型:建模选择),并非该市的官方事实。",
                      "Segment breakdown and codes are a modelling choice (source kind: modelling), not a fact of the "
                      "city."),
    "note.links": ("方向:引出 = 本文件 → 对象;引入 = 对象 → 本文件。",
                   "dir: out = this document → target; in = target → this document."),
    "note.key_chains": ("已宣布 {declared} 条重点产业链,但没有公开来源列出名单。所列 {shown} "
                        "条重点产业链为本市机构提及的候选,"
                        "未证实属于这 {declared} 条。",
                        "{declared} key chains are declared; no public source names them. The {shown} key chains "
                        "shown are candidates named by the city's bodies, unconfirmed as members of the {declared}."),
    "note.shown_of": ("{property}:显示 {shown} 条,共 {total:,}{plus} 条",
                      "{property}: {shown} of {total:,}{plus} shown"),
    "stats.entities": ("实体:{label}", "entities: {label}"), "stats.facts": ("事实:{label}", "facts: {label}"),
    "stats.unsourced": ("无来源的事实", "unsourced facts"), "stats.quads": ("存储中的四元组", "quads in store"),
    "stats.graphs": ("命名图", "named graphs"),
    "field.title": ("标题", "title"), "field.doc_number": ("文号", "doc number"), "field.type": ("类型", "type"),
    "field.issuer": ("发文机关", "issuer"), "field.date": ("发布日期", "date issued"),
    "field.date_in_force": ("施行日期", "date in force"), "field.in_force": ("现行有效", "in force"),
    "field.general": ("覆盖全部产业链", "covers all chains"), "field.level": ("层级", "level"),
    "field.jurisdiction": ("适用辖区", "jurisdiction"), "field.confidence": ("可信度", "confidence"),
    "field.sources": ("来源", "sources"),
    "note.modelling": ("环节、其顺序与 GB/T 行业代码为建模选择(来源类型:建模选择),并非该地的官方事实;"
                       "企业只有经环节关联才计入环节。",
                       "Segments, their order and GB/T codes are a modelling choice (source kind: modelling), not an "
                       "official fact of the area; enterprises count for a segment only through in_segment links."),
    "note.sparse": ("产业链数据往往稀疏:空白环节可能是缺少数据而非缺少产业。关联到本链但未关联任何环节的企业列为“未划"
                    "分环节”。",
                    "Chain data is often sparse: a blank segment may be missing data rather than missing industry. "
                    "Enterprises linked to a chain but to none of its segments are listed as unplaced."),
    "note.blank_count": ("{total} 个环节中 {blank} 个为空白。", "{blank} of {total} segments are blank."),
    "note.no_segments": ("没有可评级的环节。", "No segments to grade."),
    "note.unplaced": ("本链有 {count} 家企业尚未划分环节:{names}", "{count} enterprises of this chain have no segment "
                      "yet: {names}"),
    "note.unplaced_one": ("本链有 {count} 家企业尚未划分环节:{names}",
                          "{count} enterprise of this chain has no segment yet: {names}"),
    "note.unplaced_chain": ("{chain}:{count} 家企业尚未划分环节:{names}",
                            "{chain}: {count} enterprises have no segment yet: {names}"),
    "note.unplaced_chain_one": ("{chain}:{count} 家企业尚未划分环节:{names}",
                                "{chain}: {count} enterprise has no segment yet: {names}"),
    "note.unplaced_segment": ("(未划分环节)", "(no segment)"),
    "note.summary": ("完整度 = 非空白环节的占比;加权完整度 = 各位置占比的均值(配套支撑计 0.5)。"
                     "专项政策指点名本链(至多 3 条链之一)或其环节的政策。",
                     "complete = share of non-blank segments; weighted = mean over positions (support 0.5). A "
                     "chain-specific policy names the chain (among at most 3) or one of its segments."),
    "note.coverage": ("每格为位于该地(或其园区)的本链企业数,与 `chainkg enterprises CHAIN --district PLACE` 所列一致;"
                      "合计 = 本链不重复的企业数;未定位 = 位置未知。",
                      "Each cell counts the chain's enterprises located in the place (or in a park there), as "
                      "`chainkg enterprises CHAIN --district PLACE` lists them; total = distinct enterprises of the "
                      "chain; unlocated = no known location."),
    "note.bridges": ("每个环节只属于一条产业链,因此产业链之间只通过 GB/T 行业类别共享环节。"
                     "介数按产业链与连接主体的二部图计算。",
                     "Segments belong to one chain each, so chains share segments only through GB/T industry classes. "
                     "Betweenness is in the bipartite graph of chains and bridging entities."),
    "note.mismatches": ("有定位无企业 {positioned} 处,有企业无定位 {present} 处。来源 = 定位出自何处:"
                        "第一类为定位关联所在行,"
                        "第二类为该地定位表述的文献。",
                        "{positioned} positioned without presence, {present} present without positioning. sources = "
                        "where the positioning comes from: the positioning link's row for the first kind, the "
                        "documents of the place's positioning statement for the second."),
    "note.no_mismatches": ("没有定位与实际不符之处:每个有定位的地点都有该链的企业或园区,每个有企业或园区的地点都有相应"
                           "定位。",
                           "There are no positioning mismatches: every positioned place holds an enterprise or park "
                           "of the chain, and every place holding one is positioned for it."),
    # gap reasons (kg.analysis, as kg.i18n.Note): full text
    "reason.no_enterprise": ("本环节无本地企业", "no local enterprise placed in this segment"),
    "reason.strong": ("本地企业 {count} 家 (≥ {min}),有链主或龙头企业,并有{support}",
                      "{count} local enterprises (≥ {min}), with a chain-master or leading enterprise and {support}"),
    "reason.potential_count": ("本地企业 {count} 家 (≥ {min})", "{count} local enterprises (≥ {min})"),
    "reason.potential_lacking": ("本地企业 {count} 家 (≥ {min}),{missing}",
                                 "{count} local enterprises (≥ {min}), {missing}"),
    "reason.potential_anchor": ("本地企业 {count} 家,有链主或龙头企业",
                                "{count} local enterprises, a chain-master or leading enterprise"),
    "reason.potential_anchor_one": ("本地企业 {count} 家,为链主或龙头企业",
                                    "{count} local enterprise, a chain-master or leading enterprise"),
    "reason.potential_supported": ("本地企业 {count} 家,有园区载体和政策支持",
                                   "{count} local enterprises with park carrier and policy support"),
    "reason.potential_supported_one": ("本地企业 {count} 家,有园区载体和政策支持",
                                       "{count} local enterprise with park carrier and policy support"),
    "reason.weak": ("本地企业 {count} 家 (< {min}),{missing}", "{count} local enterprises (< {min}), {missing}"),
    "reason.weak_one": ("本地企业 {count} 家 (< {min}),{missing}", "{count} local enterprise (< {min}), {missing}"),
    "reason.cut_gap": ("断点:缺失它会把本链已覆盖的环节分隔开",
                       "cut gap: removing it separates covered segments of the chain"),
    "reason.betweenness": ("介数 {value:.2f} (≥ {threshold}):位于多条供应路径上",
                           "high betweenness {value:.2f} (≥ {threshold}): on many supply paths"),
    "reason.local_upstream": ("本地上游:{segments}", "local upstream: {segments}"),
    "reason.local_downstream": ("本地下游:{segments}", "local downstream: {segments}"),
    "reason.single_enterprise": ("单一企业环节:集中风险", "single-enterprise segment: concentration risk"),
    "lack.park_carrier": ("园区载体", "park carrier"), "lack.policy_support": ("政策支持", "policy support"),
    "lack.no_anchor": ("无链主或龙头企业", "no chain-master or leading enterprise"),
    "lack.no_carrier_or_policy": ("无园区载体或政策支持", "no park carrier or policy support"),
    "lack.no_park_carrier": ("无园区载体", "no park carrier"),
    "lack.no_policy_support": ("无政策支持", "no policy support"),
    # gap reasons: short labels for the terminal table
    "short.no_enterprise": ("无本地企业", "no local enterprise"),
    "short.enterprises": ("本地企业 {count} 家", "{count} local enterprises"),
    "short.enterprises_one": ("本地企业 {count} 家", "{count} local enterprise"),
    "short.betweenness": ("介数 {value:.2f}", "betweenness {value:.2f}"),
    # what the data cannot show (kg.analysis, kg.projection, as kg.i18n.Note)
    "unknown.blank": ("空白可能是缺少数据而非缺少产业:环节归属只来自数据中的环节关联(建模选择)",
                      "blank may be missing data rather than missing industry: segment placement comes only from "
                      "in_segment links (links.csv, a modelling choice)"),
    "unknown.count": ("只统计来源点名的企业,实际数量可能更多",
                      "only enterprises named by a source are counted; the real number may be higher"),
    "unknown.unplaced_here": ("本链有 {count} 家企业未划分环节,可能属于此处:{names}",
                              "{count} enterprises of the chain are placed in no segment and may belong here: "
                              "{names}"),
    "unknown.unplaced_here_one": ("本链有 {count} 家企业未划分环节,可能属于此处:{names}",
                                  "{count} enterprise of the chain is placed in no segment and may belong here: "
                                  "{names}"),
    "unknown.no_chain_master": ("无链主可能只是现有来源未点名,并不表示确实没有",
                                "no chain-master may mean none is named in the sources we have, not that there is "
                                "none"),
    "unknown.key_candidate": ("候选重点产业链:已宣布 {declared} 条重点产业链,但没有公开来源列出名单,其身份未经证实",
                              "a candidate key chain: {declared} key chains are declared but no public source names "
                              "them, so its membership is unproven"),
    "unknown.key_candidate_any": ("候选重点产业链:重点产业链已宣布,但没有公开来源列出名单,其身份未经证实",
                                  "a candidate key chain: the key chains are declared but no public source names "
                                  "them, so its membership is unproven"),
    "unknown.no_breakdown": ("本链没有环节划分:无法评级",
                             "no segment breakdown for this chain: segments cannot be graded"),
    "unknown.mostly_blank": ("多数环节为空白:数据稀疏,空白可能是缺少数据",
                             "most segments are blank: the data is sparse, so blanks may be missing data"),
    "unknown.absence": ("数据中没有不等于实地没有:只统计来源点名的企业,实际数量可能更多",
                        "absence in the data is not absence on the ground: only enterprises named by a source are "
                        "counted; the real number may be higher"),
    "unknown.other_words": ("定位表述可能用其他说法提到该产业;只计入明确的定位关联",
                            "the positioning statement may name the industry in other words; only ckg:positionedFor "
                            "links count"),
    "unknown.no_statement": ("该地没有已知的定位表述", "no positioning statement is known for this place"),
    "unknown.key_left_out": ("已宣布 {declared} 条重点产业链,但没有公开来源列出名单;{named} 条重点产业链候选未列入(用 "
                             "--tier key)",
                             "{declared} key chains are declared but unnamed by any public source; the {named} "
                             "key-chain candidates are left out (use --tier key)"),
    "unknown.key_unconfirmed": ("已宣布 {declared} 条重点产业链,但没有公开来源列出名单;所列重点产业链为未证实的候选",
                                "{declared} key chains are declared but unnamed; the key chains shown are unconfirmed "
                                "candidates"),
    "unknown.unlocated": ("此规模下不统计未定位数:存储的汇总图没有各链的已定位计数(请重建存储),实时统计需数分钟",
                          "unlocated is not counted at this size: the store's summary graph has no located count per "
                          "chain (rebuild the store), and counting it live takes minutes"),
    "unknown.zones_overlap": ("功能区与区县重叠:位于功能区的企业不计入其所在的区县",
                              "functional zones overlap districts: an enterprise located in a zone is not counted for "
                              "the district around it"),
    # findings and mismatch reasons (kg.analysis, as kg.i18n.Note)
    "finding.no_chain_master": ("没有任何来源点名链主", "no chain-master named by any source"),
    "finding.no_specific_policy": ("没有专项政策:只有普适或多链政策提到本链",
                                   "no chain-specific policy: only general or multi-chain policies name it"),
    "mismatch.positioned": ("{place}定位于{chain},但当地未知有该链的企业或园区",
                            "{place} is positioned for {chain}, but no enterprise or park of it is known there"),
    "mismatch.present_enterprises": ("{place}有{chain}企业 {count} 家,但没有来源为其定位该链",
                                     "{count} enterprise(s) of {chain} in {place}, which no source positions for it"),
    "mismatch.present_parks": ("{place}有{chain}承载园区 {parks} 个,但没有来源为其定位该链",
                               "{parks} carrier park(s) of {chain} in {place}, which no source positions for it"),
    "mismatch.present_both": ("{place}有{chain}企业 {count} 家、承载园区 {parks} 个,但没有来源为其定位该链",
                              "{count} enterprise(s), {parks} carrier park(s) of {chain} in {place}, which no source "
                              "positions for it"),
    # diff (kg/snapshot.py render_diff)
    "diff.none": ("无变化", "no changes"),
    "diff.total": ("共 {count} 处变化:{parts}", "{count} changes: {parts}"),
    "diff.total_one": ("共 {count} 处变化:{parts}", "{count} change: {parts}"),
    "diff.entity_added": ("新增实体", "entity added"), "diff.entity_removed": ("删除实体", "entity removed"),
    "diff.link_added": ("新增关联", "link added"), "diff.link_removed": ("删除关联", "link removed"),
    "diff.value_changed": ("数值变化", "value changed"), "diff.backing_changed": ("依据变化", "backing changed"),
    "diff.n.entity_added": ("新增实体 {count} 个", "{count} entities added"),
    "diff.n.entity_added_one": ("新增实体 {count} 个", "{count} entity added"),
    "diff.n.entity_removed": ("删除实体 {count} 个", "{count} entities removed"),
    "diff.n.entity_removed_one": ("删除实体 {count} 个", "{count} entity removed"),
    "diff.n.link_added": ("新增关联 {count} 条", "{count} links added"),
    "diff.n.link_added_one": ("新增关联 {count} 条", "{count} link added"),
    "diff.n.link_removed": ("删除关联 {count} 条", "{count} links removed"),
    "diff.n.link_removed_one": ("删除关联 {count} 条", "{count} link removed"),
    "diff.n.value_changed": ("数值变化 {count} 处", "{count} values changed"),
    "diff.n.value_changed_one": ("数值变化 {count} 处", "{count} value changed"),
    "diff.n.backing_changed": ("依据变化 {count} 处", "{count} backings changed"),
    "diff.n.backing_changed_one": ("依据变化 {count} 处", "{count} backing changed"),
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
    "formats.wrote": ("已写入 {n} 个表 → {path}", "wrote {n} table(s) → {path}"),
    "formats.xlsx_needs_output": ("--format xlsx 写一个文件:请加 -o 文件.xlsx",
                                  "--format xlsx writes a file: give -o FILE.xlsx"),
    "formats.xlsx_suffix": ("-o {path}:xlsx 工作簿的文件名须以 .xlsx 结尾",
                            "-o {path}: the workbook's file name must end in .xlsx"),
    "formats.csv_needs_folder": ("这个结果有 {n} 个表,一个 CSV 文件只放一个表:请加 -o 文件夹(每个表一个 CSV 文件),"
                                 "或用 --format json 或 --format xlsx -o 文件.xlsx",
                                 "this answer has {n} tables and a CSV file holds one: give -o FOLDER (one CSV file "
                                 "per table), or use --format json, or --format xlsx -o FILE.xlsx"),
    "formats.csv_file_of_many": ("这个结果有 {n} 个表:-o 须是文件夹(每个表一个 CSV 文件),不能是 .csv 文件 {path}",
                                 "this answer has {n} tables: -o must be a folder (one CSV file per table), not the "
                                 ".csv file {path}"),
    "progress.build.start": ("首次使用或数据已更改:为 {data} 构建存储 …",
                             "first use or the data changed: building the store for {data} …"),
    "progress.build.tables": ("读取并校验小表格({count} 个)…", "reading and checking the small tables ({count}) …"),
    "progress.build.table": ("读取并校验 {name} …", "reading and checking {name} …"),
    "progress.build.summary": ("汇总各链、各区的计数 …", "counting per chain and per district …"),
    "progress.build.optimize": ("整理存储索引 …", "compacting the store's indexes …"),
    "progress.build.done": ("存储已就绪:{quads:,} 条四元组,用时 {seconds} 秒",
                            "the store is ready: {quads:,} quads in {seconds} s"),
    "progress.report.gather": ("查询各链的环节、企业与缺口 …", "querying the chains' segments, enterprises and gaps …"),
    "progress.report.pages": ("生成索引页、链图、概览与 CSV 清单 …",
                              "drawing the index, the chain maps, the overview and the CSV lists …"),
    "progress.report.write": ("写入报告文件夹 {path} …", "writing the report folder {path} …"),
    "progress.export.facts": ("读取全部事实 …", "reading every fact …"),
    "progress.export.format": ("写出 {fmt} …", "writing {fmt} …"),
    # --- data rules (kg/data/rules.py: the confidence rules, docs/data.md) --------------------------------------------
    "stats.rule_breaks": ("违反可信度规则的断言", "assertions breaking the confidence rules"),
}


def lang_of(lang: str | None) -> int:
    """The column of a language in the catalogue (anything but ``en`` is Chinese, the default)."""
    return 1 if lang == "en" else 0


def t(key: str, lang: str | None = DEFAULT_LANG, /, **values) -> str:
    """The message ``key`` in ``lang``, its ``{fields}`` filled from ``values``; an unknown key is a bug (KeyError).

    With ``count=1``, the key's singular form ``KEY_one`` is used where there is one.

    >>> t("short.enterprises", "en", count=1), t("short.enterprises", "en", count=2), t("short.enterprises", count=2)
    ('1 local enterprise', '2 local enterprises', '本地企业 2 家')
    """
    if values.get("count") == 1 and f"{key}_one" in MESSAGES:  # English singular: "1 local enterprise"
        key = f"{key}_one"
    text = MESSAGES[key][lang_of(lang)]
    return text.format(**values) if values else text


def code(group: str, value: str | None, lang: str | None = DEFAULT_LANG) -> str | None:
    """The label of a code value (``code("position", "upstream")`` → ``上游``); an unlisted value is returned as is."""
    if value is None:
        return None
    labels = CODES[group].get(value)
    return labels[lang_of(lang)] if labels else value


def name_in(row: dict, lang: str | None, zh: str = "name", en: str = "name_en") -> str:
    """A name from the data in ``lang``: the English form where the data has one, else the Chinese (and back)."""
    return (row.get(en) if lang == "en" else None) or row.get(zh) or row.get(en) or ""


def _field(value, lang: str | None):
    """A note's field as text: a list joined by the language's separator, a name (``{"name", "name_en"}``, with a
    ``count`` in brackets) in ``lang``, a key (``{"key": …}``) looked up; anything else as it is."""
    if isinstance(value, (list, tuple)):
        return t("tbl.list_sep", lang).join(str(_field(v, lang)) for v in value)
    if isinstance(value, dict):
        if "key" in value:
            return t(value["key"], lang)
        if "name" in value:
            return name_in(value, lang) + (f" ({value['count']})" if value.get("count") is not None else "")
    return value


def render(key: str, lang: str | None, fields: dict) -> str:
    """The message ``key`` with structured ``fields`` (see :func:`_field`) in ``lang``."""
    return t(key, lang, **{k: _field(v, lang) for k, v in fields.items()})


class Note(str):
    """A message the library makes (a gap reason, an unknown): its English text, with its key and fields kept.

    It is a ``str`` (the English), so JSON and older readers see text; :func:`say` shows it in another language and
    :meth:`as_dict` gives the structure (``{"code": "betweenness", "value": 0.13, "threshold": 0.1}``).

    >>> n = Note("reason.betweenness", value=0.13, threshold=0.1)
    >>> n, say(n, "zh"), n.as_dict()
    ('high betweenness 0.13 (≥ 0.1): on many supply paths', '介数 0.13 (≥ 0.1):位于多条供应路径上', \
{'code': 'betweenness', 'value': 0.13, 'threshold': 0.1})
    """

    key: str
    fields: dict

    def __new__(cls, key: str, **fields):
        note = super().__new__(cls, render(key, "en", fields))
        note.key, note.fields = key, fields
        return note

    def __reduce__(self):
        return _note, (self.key, self.fields)

    def as_dict(self) -> dict:
        """The note as data: ``code`` (the key without its area) and the fields."""
        return {"code": self.key.partition(".")[2] or self.key, **self.fields}


def _note(key: str, fields: dict) -> Note:
    return Note(key, **fields)


def say(text, lang: str | None):
    """A :class:`Note` in ``lang``; any other value as it is."""
    return render(text.key, lang, text.fields) if isinstance(text, Note) else text
