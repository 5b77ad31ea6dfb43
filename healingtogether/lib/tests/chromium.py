"""What the browser tests share besides their fixtures (healingtogether/conftest.py): how Debian's
Chromium is started, the two widths every page is checked at, and axe-core's findings in a line."""

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}


def describe_violations(violations):
    return [(v["id"], v["impact"], [node["target"] for node in v["nodes"]][:3]) for v in violations]
