"""What the fetcher, the refresh and the command line share: settings (paths from the environment)
and the lock that makes one process at a time write the warehouse."""
