"""The serving database: aggregate-only tables, disclosure-controlled, audited, then swapped in."""

from dashboards.serving.audit import audit_serving_database
from dashboards.serving.build import ServingReport, build_serving, candidate_path, forget_pattern, publish_candidate

__all__ = ["ServingReport", "audit_serving_database", "build_serving", "candidate_path", "forget_pattern",
           "publish_candidate"]
