"""What every settings module reads first: the ``.env`` file (if any), the project and ``var/``
folders, whether this is production, and the Redis server the processes share.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

VAR_DIR = Path(env("VAR_DIR", default=str(BASE_DIR / "var")))
IS_PRODUCTION = env("DJANGO_ENV", default="development") == "production"
REDIS_URL = env("REDIS_URL", default="")
