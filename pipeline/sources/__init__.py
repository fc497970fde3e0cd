"""Where frtrack's data comes from: one module per source, all sharing one HTTP layer.

    http.py               requests Session: timeouts, retries, Retry-After, rate limit,
                          block-page/truncation detection, raw storage of every body
    federal_register.py   FR document search (both watches, one request) + document XML
    public_inspection.py  today's public-inspection desk for the watched agencies
    ecfr.py               titles.json, versions, point-in-time XML of tracked units
    govinfo.py            daily-issue bulk XML, the fallback when the FR API blocks us
    state.py              URL rebasing shared by the sources (watermarks: store.watermarks)

``pipeline.fetch.fetch_all`` runs them and records each one's outcome.
"""
