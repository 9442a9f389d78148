"""The jobs Celery beat runs: scheduled scans, the weekly digest, the retention cleanup."""
