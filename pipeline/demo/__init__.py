"""The demo room: the offline sample, the replay server and the synthetic XML writers.

`frtrack demo` and `frtrack replay` live here, and the tests use these modules to
build real inputs. The product core (parsers, store, derivation, sources,
publish) never imports this package; `tests/test_architecture.py` checks that.
"""
