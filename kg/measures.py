"""Pure graph measures over the small NetworkX graphs of :mod:`kg.projection`: cut vertices between covered
segments, betweenness, the nearest covered segments up- and downstream, and the entities and links between chains in
a cross-chain graph. Nothing here reads the store or grades anything.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx


def separating_vertices(graph: nx.Graph | nx.DiGraph, covered: Iterable) -> set:
    """The cut vertices whose removal separates covered nodes from each other.

    A node ``v`` qualifies when, in the undirected version of ``graph``, removing ``v`` leaves covered nodes (other
    than ``v``) in at least two different connected components. Computed in linear time on the block-cut tree.

    >>> g = nx.DiGraph([("ore", "smelt"), ("smelt", "cast"), ("cast", "parts")])
    >>> sorted(separating_vertices(g, covered={"ore", "cast"}))
    ['smelt']
    >>> sorted(separating_vertices(g, covered={"ore", "smelt"}))
    []
    """
    undirected = nx.Graph(graph)
    undirected.remove_edges_from(nx.selfloop_edges(undirected))
    covered = set(covered)
    found = set()
    for component in nx.connected_components(undirected):
        sub = undirected.subgraph(component)
        cuts = set(nx.articulation_points(sub))
        if not cuts:
            continue
        tree = nx.Graph()
        weight = {}
        for i, block in enumerate(nx.biconnected_components(sub)):
            weight[("block", i)] = sum(1 for v in block if v in covered and v not in cuts)
            tree.add_node(("block", i))
            tree.add_edges_from((("block", i), ("cut", v)) for v in block & cuts)
        for v in cuts:
            weight[("cut", v)] = int(v in covered)
        root = ("cut", next(iter(cuts)))
        parent = {root: None, **dict(nx.bfs_predecessors(tree, root))}
        below = {}
        for node in nx.dfs_postorder_nodes(tree, root):
            below[node] = weight[node] + sum(below[c] for c in tree[node] if parent.get(c) == node)
        total = below[root]
        for v in cuts:
            node = ("cut", v)
            parts = [below[c] for c in tree[node] if parent.get(c) == node]
            if parent[node] is not None:
                parts.append(total - below[node])
            if sum(1 for p in parts if p > 0) >= 2:
                found.add(v)
    return found



def betweenness(graph: nx.DiGraph, k: int | None = None, seed: int = 0) -> dict:
    """Normalised betweenness of each node in the directed ``suppliesTo`` graph (exact unless ``k`` samples).

    >>> betweenness(nx.DiGraph([("a", "b"), ("b", "c")]))["b"]
    0.5
    """
    if graph.number_of_nodes() < 3:
        return dict.fromkeys(graph, 0.0)
    return nx.betweenness_centrality(graph, k=k if k and k < len(graph) else None, normalized=True, seed=seed)



def nearest_covered(graph: nx.DiGraph, node, covered: set, direction: str = "upstream",
                    max_distance: int | None = None) -> list[tuple]:
    """The segments next to ``node`` in one direction, and beyond blank ones the nearest covered segments.

    Walks predecessors (``upstream``) or successors (``downstream``) breadth-first, going on through segments that
    are not covered and stopping at covered ones (and at ``max_distance`` steps). Returns ``(segment, distance)``
    pairs: every direct neighbour, and the covered segments found further away.

    >>> g = nx.DiGraph([("mine", "refine"), ("refine", "cell"), ("cell", "pack")])
    >>> nearest_covered(g, "cell", covered={"mine"})
    [('refine', 1), ('mine', 2)]
    """
    step = graph.predecessors if direction == "upstream" else graph.successors
    seen, out, frontier, distance = {node}, [], [node], 0
    while frontier and (max_distance is None or distance < max_distance):
        distance += 1
        following = []
        for current in frontier:
            for nxt in sorted(step(current), key=str):
                if nxt in seen:
                    continue
                seen.add(nxt)
                if distance == 1 or nxt in covered:
                    out.append((nxt, distance))
                if nxt not in covered:
                    following.append(nxt)
        frontier = following
    return out



def bridging_entities(graph: nx.Graph) -> list[dict]:
    """The enterprises, parks and industry classes that connect several chains, in a cross-chain graph.

    Degree = number of chains the entity touches; betweenness = normalised betweenness in the bipartite graph of
    chains and bridging entities (how much the entity alone connects chains that are otherwise apart). Sorted by
    degree, then betweenness.

    >>> g = nx.Graph([("c1", "park"), ("park", "c2"), ("c2", "firm"), ("firm", "c3")])
    >>> nx.set_node_attributes(g, {"c1": "chain", "c2": "chain", "c3": "chain", "park": "park", "firm": "enterprise"},
    ...                        "kind")
    >>> [(r["iri"], r["chains"], r["betweenness"]) for r in bridging_entities(g)]
    [('firm', 2, 0.5), ('park', 2, 0.5)]
    """
    central = nx.betweenness_centrality(graph, normalized=True) if len(graph) > 2 else {}
    rows = []
    for node, data in graph.nodes(data=True):
        if data.get("kind") == "chain":
            continue
        chains = sorted(graph[node], key=str)
        rows.append({"iri": node, "kind": data.get("kind"), "name": data.get("name"), "name_en": data.get("name_en"),
                     "code": data.get("code"), "chains": len(chains),
                     "chain_names": [graph.nodes[c].get("name") for c in chains],
                     "chain_names_en": [graph.nodes[c].get("name_en") or graph.nodes[c].get("name") for c in chains],
                     "betweenness": round(central.get(node, 0.0), 4)})
    rows.sort(key=lambda r: (-r["chains"], -r["betweenness"], r["kind"] or "", str(r["iri"])))
    return rows



def chain_links(graph: nx.Graph) -> list[dict]:
    """The chain-to-chain projection of a cross-chain graph: for each pair of chains, what they share, by kind.

    ``enterprise`` names the enterprise nodes linking the pair; ``enterprise_count`` counts the enterprises the pair
    shares: the graph attribute ``enterprise_pairs`` (``{(a, b): n}``, when the graph holds only examples), else the
    named ones. ``shared`` adds up enterprises, parks and industry classes.

    >>> g = nx.Graph([("c1", "firm"), ("firm", "c2")], enterprise_pairs={("c1", "c2"): 40})
    >>> nx.set_node_attributes(g, {"c1": "chain", "c2": "chain", "firm": "enterprise"}, "kind")
    >>> [(r["enterprise"], r["enterprise_count"], r["shared"]) for r in chain_links(g)]
    [(['firm'], 40, 40)]
    """
    pairs: dict[tuple, dict] = {}

    def pair(a, b) -> dict:
        names_en = [graph.nodes[x].get("name_en") or graph.nodes[x].get("name") for x in (a, b)]
        return pairs.setdefault((a, b), {"chains": [graph.nodes[a].get("name"), graph.nodes[b].get("name")],
                                         "chains_en": names_en,
                                         "iris": [a, b], "enterprise": [], "park": [], "industry_class": []})

    # Most-connected entities first, then by kind and IRI (a stable order, as the bridge query listed them).
    for node, data in sorted(graph.nodes(data=True), key=lambda nd: (-graph.degree(nd[0]), nd[1].get("kind") or "",
                                                                       str(nd[0]))):
        if data.get("kind") == "chain":
            continue
        chains = sorted(graph[node], key=str)
        for i, a in enumerate(chains):
            for b in chains[i + 1:]:
                name = data.get("name") or data.get("code") or node
                pair(a, b).setdefault(data.get("kind"), []).append(name)
                pair(a, b).setdefault(f"{data.get('kind')}_en", []).append(data.get("name_en") or name)
    counted = {tuple(sorted(k, key=str)): n for k, n in graph.graph.get("enterprise_pairs", {}).items()}
    for a, b in counted:
        if a in graph and b in graph:
            pair(a, b)
    rows = list(pairs.values())
    for row in rows:
        row["enterprise_count"] = counted.get(tuple(row["iris"]), len(row["enterprise"]))
        row["shared"] = row["enterprise_count"] + len(row["park"]) + len(row["industry_class"])
    rows.sort(key=lambda r: (-r["shared"], r["iris"]))
    return rows

