"""Search jobs: a table of submitted searches, and a process pool that runs them off the event loop."""
