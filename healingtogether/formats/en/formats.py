# Dates in English pages read "6 January 2026", as in Belgium and Britain, not "Jan. 6, 2026".
# French, Dutch and German keep Django's own formats ("6 janvier 2026", "6 januari 2026",
# "6. Januar 2026"); every template and email names DATE_FORMAT, never a pattern of its own.
DATE_FORMAT = "j F Y"
