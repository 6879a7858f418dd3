"""The office's rhythm run by itself: ``lantian run``.

=================  ==========================================================================
Module             What it does
=================  ==========================================================================
``schedule``       The calendar of each job (``08:30``, ``mon 09:00``, ``3 09:00``) and the
                   period that is due at a moment (``2026-04-06``, ``2026-W14``, ``2026-03``).
``runs``           Job runs keyed (job, period), the heartbeat and each job's last success and
                   failure; :func:`~lantian.ops.runs.health` is what ``/healthz`` reports.
``notify``         The outbox of notifications and their delivery (webhook, e-mail).
``jobs``           The jobs: inbox ingest with alerts and proposals, escalation, the reports.
``service``        The scheduler (APScheduler) that runs the jobs, and ``--once``.
=================  ==========================================================================

Every job is idempotent for its period: the run is claimed in ``job_runs`` (unique per job and
period), the work itself is idempotent (the ingest log, the ladder's unique steps, the archive's unique
(kind, period)) and every notification is written to the outbox in the transaction that decides it, with
a key unique per event, then sent from there. A restart therefore repeats nothing and loses nothing: a
run cut short is taken up again and finds its earlier part already done.
"""
