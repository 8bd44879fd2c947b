#!/usr/bin/env bash
# Set up (idempotent), lint (ruff), type-check (mypy), check the architecture (import-linter), the
# requirements (deptry) and dead code (vulture), and run the whole test suite, offline. The browser tests (tests/ui, marker
# `browser`) need Debian's chromium + chromium-driver, installed here when missing; deselect them
# with: bash scripts/test.sh -m "not browser". Reading scans needs Tesseract with its Chinese models,
# .doc/.wps files LibreOffice, and the PDFs the round-trip tests write the Noto CJK font: installed
# here when missing too (about 25 s on a fresh machine, see README).
set -euo pipefail
cd "$(dirname "$0")/.."

apt_install() {   # quiet; as root (CI) or with password-less sudo
    local sudo=""
    if [ "$(id -u)" != 0 ]; then
        if sudo -n true 2>/dev/null; then sudo="sudo -n"; else
            echo "test.sh: cannot install $* (not root, no sudo); the browser tests will say what is missing" >&2
            return 0
        fi
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-wqy-microhei)   # legible screenshots
command -v tesseract >/dev/null || missing+=(tesseract-ocr)                   # scanned PDFs and images
[ -f /usr/share/tesseract-ocr/5/tessdata/chi_sim.traineddata ] || missing+=(tesseract-ocr-chi-sim)
[ -f /usr/share/tesseract-ocr/5/tessdata/chi_tra.traineddata ] || missing+=(tesseract-ocr-chi-tra)
[ -f /usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc ] || missing+=(fonts-noto-cjk)   # the round-trip PDFs
command -v soffice >/dev/null || missing+=(libreoffice-writer-nogui)          # .doc and .wps
if [ ${#missing[@]} -gt 0 ] && command -v apt-get >/dev/null; then apt_install "${missing[@]}"; fi

[ -x .venv/bin/python ] || python3.11 -m venv .venv 2>/dev/null || python3 -m venv .venv   # an existing (or linked) .venv is kept
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -r requirements-dev.txt
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 ANONYMIZED_TELEMETRY=False GRADIO_ANALYTICS_ENABLED=False
echo "ruff:" && .venv/bin/ruff check .          # lint rules: ruff.toml
echo "mypy:" && .venv/bin/mypy                  # type check: mypy.ini
echo "import-linter:" && .venv/bin/lint-imports --no-logo | tail -n 8   # layers and cycles: pyproject.toml
echo "deptry:" && .venv/bin/deptry .            # requirements files against the imports: pyproject.toml
echo "vulture:" && .venv/bin/vulture && echo "no dead code"              # pyproject.toml + scripts/vulture_whitelist.py
.venv/bin/python -m pytest -q "$@"
