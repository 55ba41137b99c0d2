"""DoSVY officers: the cases transferred to their office, and the parts of each that consent allows."""

from web.transfers.views import bp

__all__ = ["bp"]
