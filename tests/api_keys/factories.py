"""Request log rows for tests, written in bulk like the benchmark's."""

from datetime import timedelta

from django.utils import timezone

from api_keys.models import ApiKey, RequestLog


def log_rows(
    api_key: ApiKey | None,
    *,
    days_ago: int,
    count: int = 1,
    status: int = 200,
    tokens=(10, 20),
    **extra,
) -> list[RequestLog]:
    created = timezone.now() - timedelta(days=days_ago)
    return RequestLog.objects.bulk_create(
        RequestLog(
            request_id=f"req_{days_ago}_{i}_{status}",
            created_at=created,
            day=timezone.localdate(created),
            api_key=api_key,
            user_id=api_key.user_id if api_key else None,
            path="/v1/chat/completions",
            model="lawbot-lite",
            status_code=status,
            prompt_tokens=tokens[0],
            completion_tokens=tokens[1],
            **extra,
        )
        for i in range(count)
    )
