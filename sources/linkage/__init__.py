"""Cross-agency linkage without shared identifiers (docs/linkage.md).

Agency side (`tokens`): an agency turns the quasi-identifiers it holds (name, date of birth or age, sex,
phone, county) into keyed Bloom-filter tokens on its own machine; only tokens travel. Task-force side: the
SQL models `intermediate.int_linkage_*` and `intermediate.int_situations` compare tokens and form situations.
models/linkage_quality.py measures linkage against the synthetic generator's truth.
"""
