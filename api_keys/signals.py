"""What other apps hook into without api_keys importing them."""

from django.dispatch import Signal

# Sent by `purge_logs` with older_than_days and batch_size; a receiver deletes what it keeps for
# as long as the request logs and returns (what, how many) for the command to report.
retention_due = Signal()
