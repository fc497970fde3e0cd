"""The pure derivation: stored facts in, typed rows out; no database, no network.

`pipeline.engine` loads rows from the store, calls these functions and writes
what they return. Everything here is tested without a database.

- ``rows``: the typed rows (versions, rules, changes, memberships, divergences,
  review items ...) and ``change_key``, the one builder of a change's identity;
- ``units``: the tracked-unit registry, one module per list (how to add one is
  in its docstring);
- ``cache``: ``ParseCache``, one derive run's bounded parse results;
- ``rules``: FR documents -> Rules by effective date (DATES exceptions, delay notices);
- ``history``: Country Group state arithmetic (predict, diff, table events);
- ``screening``: suspect eCFR versions, held or accepted;
- ``changes``: a unit's changes and their lifecycle status;
- ``memberships``, ``divergences``: intervals, and D:5 against 126.1;
- ``review``: review items about versions, and the run summary's review lines;
- ``facts``: all of the above for every unit, in one call;
- ``sync``: lifecycle steps, and the plans of what a run writes.
"""
