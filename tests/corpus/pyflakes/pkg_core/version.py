# Exercises: a tiny module with a version string and a build stamp helper that
# uses a name nobody defines.
__version__ = "2.4.1"
__all__ = ["__version__", "build_info"]


def build_info():
    return {"version": __version__, "commit": GIT_COMMIT}
