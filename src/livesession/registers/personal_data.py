from livesession.protection.registry import declare
from livesession.registers.models import RecordVersion

# Configuration only: purposes, categories, measures and the client's name and contacts'
# roles; the contacts' addresses are read live and never stored in a version.
declare(RecordVersion, not_personal=["id", "record_key", "digest", "content", "first_seen_at"])
