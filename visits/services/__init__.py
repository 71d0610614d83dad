"""Services of the visits app: every write and rule (see ../../docs/visits.md)."""

from .groups import (
    group_checkin,
    group_visit_approve,
    group_visit_cancel,
    group_visit_create,
    group_visit_move,
    group_visit_reject,
    group_visits_expire,
)
from .quota import busy_guard, quota_changed, quota_check, quota_release, quota_take
from .reservations import (
    Child,
    code_normalize,
    reminders_send,
    reservation_can_change,
    reservation_cancel,
    reservation_create,
    reservation_reschedule,
)
from .schedule import (
    booking_window,
    closure_save,
    local_today,
    session_capacity_change,
    session_close,
    sessions_generate,
)

__all__ = [
    "Child",
    "booking_window",
    "busy_guard",
    "closure_save",
    "code_normalize",
    "group_checkin",
    "group_visit_approve",
    "group_visit_cancel",
    "group_visit_create",
    "group_visit_move",
    "group_visit_reject",
    "group_visits_expire",
    "local_today",
    "quota_changed",
    "quota_check",
    "quota_release",
    "quota_take",
    "reminders_send",
    "reservation_can_change",
    "reservation_cancel",
    "reservation_create",
    "reservation_reschedule",
    "session_capacity_change",
    "session_close",
    "sessions_generate",
]
