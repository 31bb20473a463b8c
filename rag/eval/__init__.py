"""Evaluation: metric functions (`metrics`), suites that run the product on labelled data
(`suites/`), and the report writer (`report`) shared by all of them.

Every suite returns an `EvalResult` (see `report.py`) with one JSON shape:
``retrieval.<metric>``, ``answers.<metric>`` and ``baselines.<name>.<metric>``, so a change to
any stage can be compared run against run and against the baselines measured in the same run.
"""
