"""The Celery application: one task, `privmon.job`, that runs a job on the worker's own phone.

Each worker serves one phone with one solo process and takes one message at a time, so a phone is
never used by two jobs. A message is acknowledged when a worker takes it: a worker that dies
mid-job does not hand the job to another phone (its state becomes `interrupted`, jobs.py)."""

from __future__ import annotations

from celery import Celery

from .queues import ANY

TASK = "privmon.job"
# What the worker process serves (set by worker.py before Celery starts; the solo pool runs the
# task in this same process).
CONTEXT: dict = {}


def celery_app(broker: str) -> Celery:
    app = Celery("privmon", broker=broker)
    app.conf.update(
        task_default_queue=ANY,
        task_acks_late=False,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
    )
    app.task(name=TASK)(_job)
    return app


def _job(job_id: str, kind: str, args: dict) -> None:
    from .jobs import execute

    execute(CONTEXT, job_id, kind, args)
