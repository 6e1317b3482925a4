"""The bundled demo web (also the test fixture): seven small sites modelled on the 2015 Ankang notice.

``DemoWeb`` serves them on loopback addresses; ``expected.json`` holds the results a crawl must find.
Standard library only, no Scrapy.
"""

from govsites.demo.model import AS_OF
from govsites.demo.web import DemoWeb

__all__ = ["AS_OF", "DemoWeb"]
