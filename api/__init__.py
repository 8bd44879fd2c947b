"""The HTTP edge of 质策, on top of the service (rag.service.AssistantService):

    app.py            create_api(): /api/ask, health (/livez, /readyz, /healthz), error handlers, CORS
    bodies.py         request bodies and the 400 a malformed one gets (pure)
    replies.py        reply text, sources, stream closing, question + history from messages (pure)
    openai_compat.py  the OpenAI chat-completions surface: option checks, bodies, usage (pure)
    openai_routes.py  /v1/models, /v1/chat/completions
    documents.py      /api/documents: upload, list, remove (admin token)
    guard.py          access: API key, Host check, body budget, request ids, Gradio upload gate
    serve.py          `python -m api serve --workers N`: the API alone in N processes

Imports rag (the answering core) and index, never the UI (ui/); rag and index never import it.
The layers are contracts in .importlinter, checked by scripts/test.sh.
"""
