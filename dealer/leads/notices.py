"""Sales notices other than plan leads: an appointment booked, changed or cancelled, a trade-in, a hand-off to a
person. Stored with their notification pending and announced by the same notifier as leads (dealer/leads/notifier.py):
same webhook, same retries, each row claimed so it is announced once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dealer.database import session_scope
from dealer.leads.models import SalesNoticeRecord
from dealer.leads.outbox import OutboxStore

NOTICE_KINDS = frozenset({"appointment", "appointment_changed", "appointment_cancelled", "trade_in", "handoff"})


@dataclass(frozen=True)
class SalesNotice:
    kind: str  # one of NOTICE_KINDS
    customer_id: str
    channel: str
    text: str  # what the team reads (Slack-compatible; customer text escaped with outbox.slack_escape)
    details: dict[str, Any] = field(default_factory=dict)  # the same facts as JSON fields, for other receivers

    def __post_init__(self) -> None:
        if self.kind not in NOTICE_KINDS:
            raise ValueError(f"unknown sales notice kind {self.kind!r}")


class NoticeStore(OutboxStore):
    model = SalesNoticeRecord
    label = "sales notice"

    def record(self, notice: SalesNotice, notify: bool) -> int:
        row = SalesNoticeRecord(
            kind=notice.kind,
            customer_id=notice.customer_id[:128],
            channel=notice.channel[:40],
            text=notice.text,
            details=notice.details,
            **self.initial_state(notify),
        )
        with session_scope(self.database_url) as session:
            session.add(row)
            session.flush()
            return row.id

    def payload(self, row: SalesNoticeRecord) -> dict[str, Any]:
        return {
            "text": row.text,
            "notice": {  # the row's own facts last, so a detail of the same name cannot hide them
                **row.details,
                "id": row.id,
                "kind": row.kind,
                "customer_id": row.customer_id,
                "channel": row.channel,
                "created_at": row.created_at.isoformat(),
            },
        }
