"""The farm: runs queued by `privmon submit` and taken by `privmon worker` on each phone host, through
Celery with a Redis broker (docs/farm.md). A job's state lives in the store beside its session."""
