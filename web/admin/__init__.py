"""Administrator pages: users, scheduler jobs (last/next run, errors) and failed deliveries.

Importing the package imports the three page modules, which add their routes to ``bp``.
"""

from web.admin import organisations, users, views  # noqa: F401
from web.admin.blueprint import bp

__all__ = ["bp"]
