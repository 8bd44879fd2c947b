"""The answering core of 质策: no web framework is imported anywhere under this package.

A question flows down the stages, each a sub-package entered once:

    understand/   what is asked: query.py (kinds, places, follow-ups, values asked), lexicon.py
                  (colloquial -> corpus terms), english.py (English -> Chinese), units.py (names
                  of government bodies); their data files in understand/data/
    retrieve/     which clauses: strategy.py (which searches a question needs), retrievers.py
                  (BM25, dense, hybrid), fusion.py (RRF and top-k math)
    decide/       answer or decline, and why: gate.py (signals and the operating point)
    compose/      the reply: evidence.py (sentences scored), extractive.py (per kind), llm.py
                  (OpenAI-compatible answerer), verify.py (every quote and marker checked),
                  breaker.py (the LLM's circuit breaker)

and at the top: pipeline.py (Assistant.ask sequences the stages), components.py (the typed
wiring), types.py (data and Protocols), settings.py, limits.py + sanitize.py (request budgets),
service.py (concurrency, streaming, error classes: what every front end uses), reload.py (a new
index build picked up), uploads.py (the document library behind uploads), integrations/ (LangChain).
"""
