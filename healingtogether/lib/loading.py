"""What every loader of data files shares: one error that lists every problem, and reading JSON."""

import json
from pathlib import Path


class LoadError(Exception):
    """A data file is malformed or cannot be loaded. `problems` lists each one, as
    'record: field: message' where a record is at fault; nothing was written."""

    def __init__(self, path, problems):
        self.path = path
        self.problems = list(problems)
        super().__init__(f"{path}: " + "; ".join(self.problems))


def read_json(path: Path):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise LoadError(path, ["file not found"]) from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise LoadError(path, [f"not valid JSON: {error}"]) from error
