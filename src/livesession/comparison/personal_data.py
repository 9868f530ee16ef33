"""The comparison holds no personal data (P0.2, A10): the client's and operator's settings
are configuration, and the published figures are rounded aggregates of cohorts of at least
K people, with no row per person. Nothing per person is stored; the participant's own
figures are computed when their page is shown, from their own attendance rows."""

from livesession.comparison.models import (
    ClientComparison,
    CohortFigures,
    CohortGroup,
    ComparisonRun,
    PoolingSwitch,
)
from livesession.protection.registry import declare

declare(ClientComparison, not_personal=["id", "client", "enabled", "allow_pooling",
                                        "updated_at"])
declare(PoolingSwitch, not_personal=["id", "enabled", "updated_at"])
# A group is defined by categories (job functions, answers to a question), not by people.
declare(CohortGroup, not_personal=["id", "client", "name", "job_functions", "field_key",
                                   "field_values", "created_at", "updated_at"])
declare(ComparisonRun, not_personal=["id", "computed_at", "period_start", "period_end", "k",
                                     "pooling", "cohorts_published", "cohorts_suppressed"])
# Anonymous aggregates (A10 ST-01/02): k >= 10, rounded thresholds and sizes.
declare(CohortFigures, not_personal=[
    "id", "run", "client", "kind", "job", "group", "size",
    "sessions_p25", "sessions_p50", "sessions_p75", "sessions_p90",
    "minutes_size", "minutes_p25", "minutes_p50", "minutes_p75", "minutes_p90"])
