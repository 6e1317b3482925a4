"""The synthetic government web for benchmarks and accuracy tests: N sites drawn from a seed, every page
rendered on request, served on one loopback address per site, with the truth computed from the same data.

``with BenchWeb(WebConfig(sites=65, seed=1)) as web: web.write_registry(path); build_truth(web.config, web.port)``.
Standard library only, no Scrapy.
"""

from bench.web.accuracy import Accuracy, compare
from bench.web.model import AS_OF, WebConfig, host, make_site
from bench.web.server import BenchWeb
from bench.web.truth import build_truth, write_truth

__all__ = ["AS_OF", "Accuracy", "BenchWeb", "WebConfig", "build_truth", "compare", "host", "make_site", "write_truth"]
