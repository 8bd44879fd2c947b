"""The tools for the two people 质策 serves, framework-free, over one index snapshot:

    profile.parse_profile(text, places) / profile_from_fields(...)  an enterprise's profile
    profile.asks_for_measures(text, places)                         "我们是…,有哪些政策?"
    match.match(snapshot, profile) -> MatchResult                   policy matching (政策匹配)
    duties.duties(snapshot, unit, place) -> DutyTable               a unit's duty table (职责清单)
    duties.tasks(snapshot, doc_id) -> TaskMatrix                    a document's 任务分工表
    export.*_sheets(...), to_csv(...), to_xlsx(...)                 the downloads
    toolbox.Toolbox                                                 the above with per-snapshot tables

The HTTP routes (api/tools.py) and the UI tabs (ui/match.py, ui/duties.py) reach them through
rag.service.AssistantService (match, duties, tasks, toolbox)."""
