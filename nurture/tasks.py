"""django-q2 entry points: call one service. The dispatcher is safe to run twice at once."""

from nurture import dispatch, imports


def dispatch_due() -> dict:
    return dispatch.nurture_dispatch()


def reengagement_import_run(job_id: int) -> str:
    return imports.reengagement_import_run(job_id=job_id)


def reengagement_import_resume_lost() -> int:
    return imports.reengagement_import_resume_lost()
