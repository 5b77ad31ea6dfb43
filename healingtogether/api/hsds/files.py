"""HSDS datasets on disk: our JSON layout (one file per object type) and the tabular data package
(CSV files described by datapackage.json), written and read.

Reading gives `Tables` (object type -> records by id) plus, for every record, where it came from
("services.csv row 4"), so that each problem names the record it is about. Records may be flat,
as in a CSV file, or nested, as the HSDS API serves them; nested ones are flattened first.
"""

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.utils.translation import gettext as _

from . import spec
from .records import Tables, flatten


class DatasetError(Exception):
    """The dataset cannot be read at all (no such folder, not JSON, no known file)."""


@dataclass
class Dataset:
    tables: Tables
    origins: dict = field(default_factory=dict)  # (type, id) -> "services.json[2]"
    problems: list = field(default_factory=list)  # (origin, field, message)
    form: str = "json"

    def rows(self, object_type: str) -> list[dict]:
        return self.tables.rows(object_type)

    def get(self, object_type: str, record_id) -> dict | None:
        return self.tables.get(object_type, {}).get(record_id)

    def origin(self, object_type: str, record: dict) -> str:
        return self.origins.get((object_type, record.get("id")), object_type)

    def where(self, object_type: str, name: str, value) -> list[dict]:
        """The records of a type whose `name` field is `value` (an index is built once)."""
        indexes = self.__dict__.setdefault("_indexes", {})
        key = (object_type, name)
        if key not in indexes:
            index = {}
            for record in self.rows(object_type):
                index.setdefault(record.get(name), []).append(record)
            indexes[key] = index
        return indexes[key].get(value, []) if value is not None else []

    def language(self) -> str | None:
        """The language the dataset says its texts are in (meta_table_description)."""
        for record in self.rows("meta_table_description"):
            if record.get("language"):
                return str(record["language"])
        return None


# Writing


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def write_json(tables: Tables, directory: Path) -> list[Path]:
    """One JSON file per object type, a list of flat records; an empty list where we have none
    (today no published resource has a meeting place), so a reader finds every file."""
    written = []
    for object_type, name in spec.JSON_FILES.items():
        rows = tables.rows(object_type)
        path = directory / name
        path.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        written.append(path)
    return written


def write_csv(tables: Tables, directory: Path, descriptor: dict) -> list[Path]:
    """The tabular data package: every table of the descriptor (empty ones with their header
    row, so the package is complete) and the descriptor itself."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for resource in descriptor["resources"]:
        columns = [f["name"] for f in resource["schema"]["fields"]]
        path = directory / resource["path"]
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(columns)
            for record in tables.rows(resource["name"]):
                writer.writerow([_csv_value(record.get(c)) for c in columns])
        written.append(path)
    path = directory / "datapackage.json"
    path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    written.append(path)
    return written


# Reading


def read(path: Path) -> Dataset:
    """Read a dataset: a folder in our JSON layout, a folder or datapackage.json of a CSV
    package, or one JSON file of services (a list, or a page with `contents`)."""
    path = Path(path)
    if path.is_dir():
        if any((path / name).exists() for name in spec.JSON_FILES.values()):
            return _read_json_folder(path)
        if (path / "datapackage.json").exists() or (path / "services.csv").exists():
            return _read_csv_package(path)
        raise DatasetError(_("%(path)s holds no HSDS files.") % {"path": path})
    if path.name == "datapackage.json":
        return _read_csv_package(path.parent)
    if path.suffix == ".json" and path.exists():
        dataset = Dataset(Tables())
        records = _load_json(path, dataset)
        if isinstance(records, dict) and isinstance(records.get("contents"), list):
            records = records["contents"]
        _add_records(dataset, "service", records, path.name)
        return dataset
    raise DatasetError(_("%(path)s is not an HSDS dataset.") % {"path": path})


def _load_json(path: Path, dataset: Dataset):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise DatasetError(_("%(file)s is not UTF-8 text.") % {"file": path.name}) from error
    except json.JSONDecodeError as error:
        raise DatasetError(
            _("%(file)s is not valid JSON (line %(line)d, column %(column)d).")
            % {"file": path.name, "line": error.lineno, "column": error.colno}
        ) from error


def _read_json_folder(directory: Path) -> Dataset:
    dataset = Dataset(Tables())
    for object_type, name in spec.JSON_FILES.items():
        path = directory / name
        if path.exists():
            _add_records(dataset, object_type, _load_json(path, dataset), name)
    return dataset


def _add_records(dataset: Dataset, object_type: str, records, source: str) -> None:
    if not isinstance(records, list):
        dataset.problems.append((source, "", _("Expected a list of records.")))
        return
    seen = set()
    for position, record in enumerate(records):
        origin = f"{source}[{position}]"
        if not isinstance(record, dict):
            dataset.problems.append((origin, "", _("Expected an object.")))
            continue
        record_id = record.get("id")
        if record_id is not None and record_id in seen:
            dataset.problems.append((origin, "id", _("This id is used twice in the file.")))
            continue
        seen.add(record_id)
        dataset.tables.added = []
        flatten(object_type, record, dataset.tables)
        dataset.origins.setdefault((object_type, record_id), origin)
        # Records found inside this one (its schedules, its location...) are named after it.
        for table, key in dataset.tables.added:
            dataset.origins.setdefault((table, key), f"{origin} › {table}")
        dataset.tables.added = None


def _typed(value: str, kind: str):
    """A CSV cell as the type the descriptor gives its column; raises ValueError."""
    if kind == "number":
        number = float(value)
        return int(number) if number.is_integer() and "." not in value else number
    if kind == "integer":
        return int(value)
    if kind == "boolean":
        if value.lower() in ("true", "1", "yes"):
            return True
        if value.lower() in ("false", "0", "no"):
            return False
        raise ValueError(value)
    if kind == "datetime":
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value


def _read_csv_package(directory: Path) -> Dataset:
    dataset = Dataset(Tables(), form="csv")
    descriptor_path = directory / "datapackage.json"
    descriptor = _load_json(descriptor_path, dataset) if descriptor_path.exists() else None
    resources = (descriptor or {}).get("resources") or spec.datapackage()["resources"]
    ours = spec.tables()
    for resource in resources:
        name = resource.get("name")
        if name not in ours:
            continue
        path = _resource_path(dataset, directory, resource.get("path") or ours[name]["path"])
        if path is None:
            continue
        fields = resource.get("schema", ours[name]["schema"]).get("fields", [])
        kinds = {f["name"]: f.get("type", "string") for f in fields}
        required = set(spec.required_fields(name))
        _read_csv_table(dataset, name, path, kinds, required)
    return dataset


def _resource_path(dataset: Dataset, directory: Path, given) -> Path | None:
    """The file a resource of datapackage.json names, if it is a regular file inside the
    dataset's folder; None when there is no such file (a table the supplier left out). A path
    that is absolute or leads out of the folder (../, a link) is a problem, and is never read:
    the descriptor is the supplier's, the rest of the disk is not."""
    refused = (
        "datapackage.json",
        "path",
        _("“%(path)s” is not a file inside the dataset's folder: it was not read.")
        % {"path": str(given)[:200]},
    )
    if not isinstance(given, str) or not given or "\x00" in given:
        dataset.problems.append(refused)
        return None
    folder = directory.resolve()
    relative = Path(given)
    if relative.is_absolute() or relative.drive:
        dataset.problems.append(refused)
        return None
    path = (folder / relative).resolve()
    if not path.is_relative_to(folder):
        dataset.problems.append(refused)
        return None
    if not path.exists():
        return None
    if not path.is_file():
        dataset.problems.append(refused)
        return None
    return path


def _read_csv_table(
    dataset: Dataset, object_type: str, path: Path, kinds: dict, required: set
) -> None:
    """Read one table. An empty cell is a missing value, except in a required text column,
    where CSV cannot tell an empty text from a missing one."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise DatasetError(_("%(file)s is not UTF-8 text.") % {"file": path.name}) from error
    reader = csv.DictReader(io.StringIO(text, newline=""))
    seen = set()
    for row in reader:
        origin = _("%(file)s row %(row)d") % {"file": path.name, "row": reader.line_num}
        record = {}
        for name, value in row.items():
            if name is None or value is None:
                continue
            if value == "":
                if name in required and kinds.get(name, "string") == "string":
                    record[name] = ""
                continue
            try:
                record[name] = _typed(value, kinds.get(name, "string"))
            except ValueError:
                dataset.problems.append(
                    (
                        origin,
                        name,
                        _("“%(value)s” is not a %(type)s.")
                        % {"value": value, "type": kinds.get(name)},
                    )
                )
        record_id = record.get("id")
        if record_id is not None and record_id in seen:
            dataset.problems.append((origin, "id", _("This id is used twice in the file.")))
            continue
        seen.add(record_id)
        dataset.tables.add(object_type, record)
        dataset.origins.setdefault((object_type, record_id), origin)


def descriptor(homepage: str) -> dict:
    """The HSDS data package descriptor, describing our export: the tables and their columns are
    the specification's own; the title and description are ours."""
    package = {k: v for k, v in spec.datapackage().items() if k != "license"}
    package.update(
        {
            "name": "healing-together",
            "title": "Healing Together: group therapy and support groups in Belgium",
            "description": (
                "Groups, the organisations that run them, where and when they meet, as listed "
                f"on Healing Together. The table schemas are those of the {spec.ATTRIBUTION} "
                f"({spec.ATTRIBUTION_URL}), version {spec.VERSION}, licensed under "
                f"{spec.LICENSE} ({spec.LICENSE_URL})."
            ),
            "homepage": homepage,
            "created": datetime.now().astimezone().isoformat(timespec="seconds"),
        }
    )
    return package
