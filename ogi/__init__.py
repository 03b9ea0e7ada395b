"""The ogi command line, on top of extraction, fetching and the Dagster refresh."""
