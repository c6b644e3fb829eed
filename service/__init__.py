"""ReNAS prediction service: cell spaces, encodings, search and the HTTP API (never imports torch)."""

__version__ = "0.1.0"
