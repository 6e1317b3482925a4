"""Content-security detectors (issue 16): pure functions over text, trees and bytes.

No Scrapy and no store here; the crawl's pipelines call these and write the findings. Every finding is a
`Finding` whose evidence and context never hold a personal number in full (see `privacy.mask`).
"""
