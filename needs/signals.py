"""Signals other parts (reminders) listen to; sent after the transaction commits."""

from django.dispatch import Signal

problem_reported = Signal()  # problem_id
referral_answered = Signal()  # referral_id
