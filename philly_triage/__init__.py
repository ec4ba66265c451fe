"""triage: find the failure that ended each deep-learning job and say what kind it is.

The public API is what this module exports (``__all__``)::

    import philly_triage as triage

    record = triage.classify("runs/job-42/")          # one job: a log file or a job directory
    print(record.status, record.category, record.file, record.line, record.retry)
    triage.classify_text(log_text)                      # the record a file holding the text gets
    for record in triage.classify_many(["runs/"], workers=4):   # every job under the paths, in order
        ...
    catalogue = triage.load_catalogue(rules="my_rules/")        # built-in rules plus yours
    engine = triage.Classifier(catalogue, triage.Options(full=True, gpus=8))   # build once, reuse

Records are ``FailureRecord`` values (``record.to_dict()`` is the JSON record); ``Status`` says what
triage concluded. Everything under ``philly_triage._internal`` is private and may change in any
release. Names are imported on first use, so ``import philly_triage`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# name -> the module that defines it
_EXPORTS = {
    "classify": "philly_triage._internal.api",
    "classify_text": "philly_triage._internal.api",
    "classify_many": "philly_triage._internal.api",
    "load_catalogue": "philly_triage._internal.api",
    "Classifier": "philly_triage._internal.pipeline.engine",
    "Options": "philly_triage._internal.pipeline.engine",
    "Catalogue": "philly_triage._internal.catalogue.load",
    "CatalogueError": "philly_triage._internal.catalogue.load",
    "FailureRecord": "philly_triage.models",
    "Status": "philly_triage.models",
    "Rule": "philly_triage.models",
    "Job": "philly_triage.models",
}

__all__ = ["__version__", *_EXPORTS]

if TYPE_CHECKING:  # for type checkers and editors; at run time the names load on first use
    from philly_triage._internal.api import classify, classify_many, classify_text, load_catalogue
    from philly_triage._internal.catalogue.load import Catalogue, CatalogueError
    from philly_triage._internal.pipeline.engine import Classifier, Options
    from philly_triage.models import FailureRecord, Job, Rule, Status


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'philly_triage' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
