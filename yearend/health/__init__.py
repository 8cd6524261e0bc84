"""Health and metrics endpoints for operations and Prometheus."""
