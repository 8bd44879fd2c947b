#!/usr/bin/env bash
# Set up (idempotent), build the index if needed, and serve the assistant on http://127.0.0.1:7860
set -euo pipefail
cd "$(dirname "$0")/.."
python3.11 -m venv .venv 2>/dev/null || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -r requirements.txt
export HF_HUB_OFFLINE=${HF_HUB_OFFLINE:-1} ANONYMIZED_TELEMETRY=False GRADIO_ANALYTICS_ENABLED=False
.venv/bin/python -m index build
exec .venv/bin/python app.py "$@"
