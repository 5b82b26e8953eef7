"""The scheduler process (`flask --app app tracker scheduler`) and its jobs.

Only that process schedules, never a web worker: under gunicorn every worker would start its
own scheduler and each job would run several times.
"""
