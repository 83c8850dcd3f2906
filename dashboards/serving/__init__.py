"""The serving database: aggregate-only tables, disclosure-controlled, audited, then swapped in."""

from dashboards.serving.audit import audit_serving_database
from dashboards.serving.build import ServingReport, build_serving, candidate_path, publish_candidate
from dashboards.serving.disclosure_memory import earlier_proofs, forget_disclosure_memory

__all__ = ["ServingReport", "audit_serving_database", "build_serving", "candidate_path", "earlier_proofs",
           "forget_disclosure_memory", "publish_candidate"]
