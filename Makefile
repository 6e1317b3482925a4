# govsites: `make help` lists the targets. Variables: SITES OUT DB AS_OF RUN SITE COUNTY PROBES ALLOW_PRIVATE
# RUBRIC BASELINE BASELINE_NAME EXPERT PER_SITE DISTRIBUTED WORKERS (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

SITES ?= data/sites.csv
OUT ?= data/output
DB ?= data/govsites.sqlite
AS_OF ?=
RUN ?=
SITE ?=
COUNTY ?=
PROBES ?=
ALLOW_PRIVATE ?=
RUBRIC ?= census2015
BASELINE ?=
BASELINE_NAME ?=
EXPERT ?=
PER_SITE ?=
DISTRIBUTED ?=

WORKERS ?= auto
CRAWL_ARGS = --sites "$(SITES)" --db "$(DB)" $(if $(RUN),--run "$(RUN)") $(if $(AS_OF),--as-of "$(AS_OF)") \
	$(if $(SITE),--site "$(SITE)") $(if $(COUNTY),--county "$(COUNTY)") $(if $(PROBES),--probes "$(PROBES)") \
	$(if $(filter 1 true yes,$(ALLOW_PRIVATE)),--allow-private)

SCORE_ARGS = --db "$(DB)" --out "$(OUT)" --sites "$(SITES)" --rubric "$(RUBRIC)" \
	$(if $(RUN),--run "$(RUN)") $(if $(AS_OF),--as-of "$(AS_OF)") $(if $(BASELINE),--baseline "$(BASELINE)") \
	$(if $(BASELINE_NAME),--baseline-name "$(BASELINE_NAME)") $(if $(EXPERT),--expert "$(EXPERT)")

.PHONY: help install demo test crawl score notice expert-template probe bench lint clean

help: ## list the targets and what they do
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-16s %s\n", $$1, $$2}'

install: $(STAMP) ## install what is missing: Debian's chromium, the attachment readers and a .venv with the pinned packages
	@command -v pdftotext >/dev/null 2>&1 && command -v catdoc >/dev/null 2>&1 && command -v antiword >/dev/null 2>&1 || { \
	  echo "安装附件读取工具（poppler-utils、catdoc、antiword：检查 PDF、DOC、XLS 附件中的个人信息）…"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq poppler-utils catdoc antiword; }

$(STAMP): requirements.lock pyproject.toml
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "安装 Debian chromium（用于渲染 JavaScript 栏目）…"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -r requirements.lock
	@touch $(STAMP)

demo: install ## serve the bundled demo web, crawl and score it: outputs in data/output/
	$(BIN)/python -m govsites demo --out "$(OUT)" --db "$(DB)"

test: install ## run the whole test suite (real local servers, real Chromium)
	@$(BIN)/python -m pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "错误：没有运行任何测试 / no tests ran"; exit 1; fi; exit $$rc

crawl: install ## crawl the registry into DB (SITE=id or COUNTY=县 reruns only those; WORKERS=auto|N; DISTRIBUTED=redis://…)
	$(BIN)/python -m govsites crawl $(CRAWL_ARGS) $(if $(DISTRIBUTED),--distributed "$(DISTRIBUTED)") \
	  $(if $(WORKERS),--workers "$(WORKERS)")

score: install ## score a run (RUN=label, default the latest) into OUT: CSVs and scores.xlsx (BASELINE= EXPERT= PER_SITE=1)
	$(BIN)/python -m scoring $(SCORE_ARGS) $(if $(filter 1 true yes,$(PER_SITE)),--per-site)

notice: install ## write the draft notice 通报（草稿）.docx into OUT (same variables as score)
	$(BIN)/python -m scoring notice $(SCORE_ARGS)

expert-template: install ## write the expert evaluation form 专家评估表.xlsx into OUT
	$(BIN)/python -m scoring expert-template --sites "$(SITES)" --out "$(OUT)" --rubric "$(RUBRIC)"

probe: install ## record one more home-page probe round for every site (cron it for the census method)
	$(BIN)/python -m govsites probe $(CRAWL_ARGS)

bench: install ## benchmarks (printed): synthetic web speed and accuracy beside LinkChecker, demo web, typo detector
	$(BIN)/python -m bench

LINTED := govsites scoring bench tests setup.py

lint: install ## ruff check, ruff format --check and mypy over the code (not part of make test)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy

clean: ## remove outputs and the store (keeps .venv)
	rm -rf "$(OUT)" "$(DB)" "$(DB)-wal" "$(DB)-shm"
