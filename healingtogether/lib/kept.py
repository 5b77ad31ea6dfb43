"""A bounded, thread-safe store of results worked out once and asked for again: the search
snapshot's kept searches (search/snapshot.py), the result cards (search/cards.py) and the API's
result JSON (search/summary.py)."""

import threading
from collections import OrderedDict


class Kept:
    """Results kept under their keys, the least recently used dropped first when there are
    more than `size`: people search for the same words, near the same towns, with the same
    filters, and see the same groups, again and again. Safe for threads (a lost race works a
    result out twice, never wrongly)."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, make, still=None):
        """The result kept for `key`, or make()'s, then kept (None included). With `still`, a
        kept result is used only while still(result) is true, and made again otherwise."""
        with self._lock:
            if key in self._items:
                found = self._items[key]
                if still is None or still(found):
                    self._items.move_to_end(key)
                    return found
        found = make()
        with self._lock:
            self._items[key] = found
            if len(self._items) > self.size:
                self._items.popitem(last=False)
        return found

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
