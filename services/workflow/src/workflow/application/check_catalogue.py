"""Use case: a deployed catalogue whose procedure version changed recomputes its dossiers."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy.exc import IntegrityError

from workflow.adapters import job_repo
from workflow.application.context import Context


def fingerprint(version_dict: dict[str, object]) -> str:
    raw = json.dumps(version_dict, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


async def check_catalogue(ctx: Context) -> int:
    """Compare each version with what was seen before; returns the jobs queued."""
    now = ctx.clock.now()
    queued = 0
    try:
        async with ctx.sessions() as session, session.begin():
            seen = await job_repo.fingerprints(session)
            for version in ctx.statutory.catalogue.all_versions():
                key = (version.code, version.version)
                current = fingerprint(version.to_dict())
                known = seen.get(key)
                if known == current:
                    continue
                await job_repo.set_fingerprint(session, *key, current, now, new=known is None)
                if known is not None and await job_repo.create_job(
                    session,
                    job_id=f"procedure:{key[0]}:{key[1]}:{current[:16]}",
                    cause="procedure",
                    now=now,
                    procedure=key,
                ):
                    queued += 1
    except IntegrityError:  # another replica recorded the same catalogue first
        return 0
    return queued
