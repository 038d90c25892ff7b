"""The purchase wizard end to end, in-process with the sandbox, by topic (the fixtures in
conftest.py, the URLs and steps in helpers.py)."""
