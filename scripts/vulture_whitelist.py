"""Names vulture cannot see used (run by scripts/test.sh: `vulture`, configured in pyproject.toml).
Each line says who uses the name."""
# ruff: noqa
from api import openai_compat, serve, tools
from rag.understand import units

# OpenAI request fields accepted and reported in X-Zhice-Ignored-Options (read by pydantic, by name)
openai_compat.ChatRequest.top_p
openai_compat.ChatRequest.presence_penalty
openai_compat.ChatRequest.frequency_penalty
openai_compat.ChatRequest.safety_identifier
openai_compat.ChatRequest.prompt_cache_key
openai_compat.ChatRequest.prompt_cache_retention
openai_compat.JsonSchemaSpec.strict          # the json_schema response_format's fields, as OpenAI sends them
openai_compat.JsonSchemaSpec.description
serve.create_worker_app                      # uvicorn's factory, named as the string "api.serve:create_worker_app"
units.Share.ALL                              # read from reforms.tsv by its value, Share("all")
tools.Format.XLSX                            # ?format=xlsx, parsed by FastAPI into the enum by its value
# openpyxl's cell and sheet properties, set to style the XLSX downloads (rag/tools/export.py)
_.font
_.fill
_.alignment
_.freeze_panes
