"""SQL models: staging -> intermediate -> marts -> serving, one model per .sql file.

A model's table is `<layer>.<file name>`; what it reads is found in its SQL, so the Dagster graph is
derived from the files and nothing else.
"""

from models.catalog import (MODELS_DIR, QUERIES_DIR, ModelSpec, discover_models, macros_sql, query_sql,
                            serving_models)

__all__ = ["MODELS_DIR", "QUERIES_DIR", "ModelSpec", "discover_models", "macros_sql", "query_sql",
           "serving_models"]
