# govsites: `make help` lists the targets, the variables and their defaults (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# `make help` lists the targets (their `##` text) and the variables below (the `#:` line above each, and its
# default). No comment on a variable's own line: make would keep the spaces before it in the value.
#: 网站登记表（CSV，UTF-8）
SITES ?= data/sites.csv
#: 输出目录（CSV、scores.xlsx、通报草稿）
OUT ?= data/output
#: 存储：SQLite 文件路径，或 postgresql:// 地址
DB ?= data/govsites.sqlite
#: 评估日期 YYYY-MM-DD（空：今天）
AS_OF ?=
#: 运行标签（空：全量抓取用评估日期，SITE/COUNTY 重测用最近一次运行）
RUN ?=
#: 只抓取这些站点（site_id，逗号分隔）
SITE ?=
#: 只抓取这些县区的站点（逗号分隔）
COUNTY ?=
#: 每次抓取的首页探测次数（空：3）
PROBES ?=
#: 设为 1：允许访问未登记的内网和本机地址（本地测试网站）
ALLOW_PRIVATE ?=
#: 评分规则：census2015、checks2019 或 TOML 文件
RUBRIC ?= census2015
#: 整改前基准：更早运行的标签，或每站计数 CSV
BASELINE ?=
#: 通报中对基准的称呼，如 普查前
BASELINE_NAME ?=
#: 已填写的专家评估表（与自动评分合并）
EXPERT ?=
#: 人工复核结果：已填写“复核”列的 scores.xlsx，或 review.csv
REVIEW ?=
#: 设为 1：单项否决须经人工复核确认后才生效
REVIEW_REQUIRED ?=
#: 设为 1：用 Chromium 为每个问题截图（OUT/evidence/）
EVIDENCE ?=
#: 监测周期的天数（make monitor）
DAYS ?= 7
#: 设为 1：make monitor 只打印等效的 crontab 行
CRON ?=
#: 整改通知的整改期限 YYYY-MM-DD（空：留待填写）
DEADLINE ?=
#: 设为 1：另为每个网站输出整改清单（OUT/整改/）
PER_SITE ?=
#: 分布式抓取：redis://主机:端口（见 docs/scaling.md）
DISTRIBUTED ?=
#: 本机抓取进程数（auto：每个 CPU 核一个）
WORKERS ?= auto
#: make demo 自己的登记表、存储和输出所在目录（与上面的 SITES、DB、OUT 分开）
DEMO_DIR ?= data/demo

CRAWL_ARGS = --sites "$(SITES)" --db "$(DB)" $(if $(RUN),--run "$(RUN)") $(if $(AS_OF),--as-of "$(AS_OF)") \
	$(if $(SITE),--site "$(SITE)") $(if $(COUNTY),--county "$(COUNTY)") $(if $(PROBES),--probes "$(PROBES)") \
	$(if $(filter 1 true yes,$(ALLOW_PRIVATE)),--allow-private)

SCORE_ARGS = --db "$(DB)" --out "$(OUT)" --sites "$(SITES)" --rubric "$(RUBRIC)" \
	$(if $(RUN),--run "$(RUN)") $(if $(AS_OF),--as-of "$(AS_OF)") $(if $(BASELINE),--baseline "$(BASELINE)") \
	$(if $(BASELINE_NAME),--baseline-name "$(BASELINE_NAME)") $(if $(EXPERT),--expert "$(EXPERT)") \
	$(if $(REVIEW),--review "$(REVIEW)") $(if $(filter 1 true yes,$(REVIEW_REQUIRED)),--review-required)

.PHONY: help install demo test crawl score notice rectify expert-template probe monitor bench lint clean

help: ## 列出全部目标、变量及其默认值
	@echo "用法：make <目标> [变量=值 …]，例如 make crawl score AS_OF=2015-12-31"
	@echo
	@echo "目标："
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-16s %s\n", $$1, $$2}'
	@echo
	@echo "变量（默认值）："
	@awk '/^#: / { text = substr($$0, 4); next } \
	  /^[A-Z_]+ \?=/ { value = $$0; sub(/^[A-Z_]+ \?= */, "", value); \
	    if (text != "" && value == "") printf "  %-14s (空)%18s %s\n", $$1, "", text; \
	    else if (text != "") printf "  %-14s %-22s %s\n", $$1, value, text; text = ""; next } \
	  { text = "" }' $(MAKEFILE_LIST)

install: $(STAMP) ## 安装缺少的部分：Debian 的 chromium、中文字体、附件读取工具和锁定版本依赖的 .venv
	@command -v pdftotext >/dev/null 2>&1 && command -v catdoc >/dev/null 2>&1 && command -v antiword >/dev/null 2>&1 || { \
	  echo "安装附件读取工具（poppler-utils、catdoc、antiword：检查 PDF、DOC、XLS 附件中的个人信息）…"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq poppler-utils catdoc antiword; }
	@fc-list :lang=zh 2>/dev/null | grep -q . || { \
	  echo "安装中文字体（fonts-wqy-zenhei：证据截图中的中文）…"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq fonts-wqy-zenhei; }

$(STAMP): requirements.lock pyproject.toml
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "安装 Debian chromium（用于渲染 JavaScript 栏目）…"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -r requirements.lock
	@touch $(STAMP)

demo: install ## 启动自带的演示网站，抓取并评分；结果在 DEMO_DIR（data/demo/output），不动本单位的数据
	$(BIN)/python -m govsites demo --out "$(DEMO_DIR)/output" --db "$(DEMO_DIR)/govsites.sqlite"

test: install ## 运行全部测试（本机真实服务器、真实 Chromium）
	@$(BIN)/python -m pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "错误：没有运行任何测试 / no tests ran"; exit 1; fi; exit $$rc

crawl: install ## 抓取登记表中的网站存入 DB（SITE=、COUNTY= 只重测这些；WORKERS=auto|N；Ctrl-C 后可续抓）
	$(BIN)/python -m govsites crawl $(CRAWL_ARGS) $(if $(DISTRIBUTED),--distributed "$(DISTRIBUTED)") \
	  $(if $(WORKERS),--workers "$(WORKERS)")

score: install ## 为一次运行评分（RUN=，默认最近一次），在 OUT 输出 CSV 和 scores.xlsx
	$(BIN)/python -m scoring $(SCORE_ARGS) $(if $(filter 1 true yes,$(PER_SITE)),--per-site) \
	  $(if $(filter 1 true yes,$(EVIDENCE)),--evidence)

notice: install ## 在 OUT 生成通报草稿 通报（草稿）.docx（变量同 score）
	$(BIN)/python -m scoring notice $(SCORE_ARGS)

rectify: install ## 为每个存在问题的网站生成整改通知 OUT/整改通知/*.docx（DEADLINE=整改期限；先 EVIDENCE=1 评分可附截图）
	$(BIN)/python -m scoring rectify $(SCORE_ARGS) $(if $(DEADLINE),--deadline "$(DEADLINE)")

expert-template: install ## 在 OUT 生成专家评估表 专家评估表.xlsx
	$(BIN)/python -m scoring expert-template --sites "$(SITES)" --out "$(OUT)" --rubric "$(RUBRIC)"

probe: install ## 对每个网站首页再探测一轮（按普查方法可用 cron 定时执行）
	$(BIN)/python -m govsites probe $(CRAWL_ARGS)

monitor: install ## 监测周期：每天抓取一次、每天 24 轮首页探测，写入同一次运行（DAYS=7；中断后再运行即续做；CRON=1 只打印 crontab）
	$(BIN)/python -m govsites monitor $(CRAWL_ARGS) --days "$(DAYS)" $(if $(filter 1 true yes,$(CRON)),--cron)

bench: install ## 基准测试（打印结果）：合成网站的速度与准确率、与 LinkChecker 对比、错别字检测
	$(BIN)/python -m bench

LINTED := govsites scoring bench tests setup.py

lint: install ## 代码检查：ruff check、ruff format --check 和 mypy（不属于 make test）
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy

clean: ## 删除输出、存储和演示数据（保留 .venv）
	rm -rf "$(OUT)" "$(DB)" "$(DB)-wal" "$(DB)-shm" "$(DEMO_DIR)"
