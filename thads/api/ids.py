"""What the API accepts as an object id, in a path or in a filter.

Ids are 64-bit integers. A larger number is no id at all, and SQLite (the
embedded default) cannot even bind it: it raises OverflowError, a 500, where
PostgreSQL would just find nothing. So ids are bounded where they come in.
"""

MAX_ID = 2**63 - 1

# The routers' `{id}` segment (`lookup_value_regex` on every viewset with detail
# routes): anything else, `abc` or a 20-digit number, is the URL resolver's JSON
# 404 before a view sees it. 18 digits stay below MAX_ID whatever they are.
ID_LOOKUP_REGEX = r"[0-9]{1,18}"
MAX_PATH_ID = 10**18 - 1
