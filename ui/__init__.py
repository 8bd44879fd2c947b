"""The Gradio UI of 质策, on top of the service (rag.service.AssistantService):

    chat.py    build_ui(): the chat, the city filter, examples; the one public endpoint /ask
    render.py  presentation (pure): messages, answers with linked markers, cited clauses as cards
    admin.py   the 管理文件 section (upload / list / remove with the admin token)
    assets.py  CSS and the page script
    page.py    mount_ui(): the UI at / of the API's app, served with <html lang="zh-CN">

Imports rag and index, never the HTTP package (api/); app.py wires the two together.
"""
import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")   # no telemetry, no version check
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")                # Chroma's telemetry
