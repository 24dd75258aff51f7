"""Snapshots of a built store: writing them (:mod:`kg.snapshots.export`, the formats in
:mod:`kg.snapshots.formats`); reading, restoring and diffing them is :mod:`kg.snapshot`."""
