# Exercises: a package __init__ that re-exports through plain imports (pyflakes
# still calls them unused), through `import x as x` and through __all__;
# undefined names in an __init__'s __all__ (not reported there: they may be
# submodules); __path__, which is defined in a package's __init__.
"""Core models and services."""
from .models import User, Group, Permission
from .services import UserService as UserService
from . import services
from . import util
from .version import __version__
import logging

__all__ = ["User", "Group", "services", "__version__", "auth", "SessionManager"]

logger = logging.getLogger(__name__)
EXTENSION_DIRS = list(__path__)


def default_service():
    return services.UserService(backend=default_backend)
