"""Webs the tests serve on loopback that are not part of the product: ``hostile`` (fault injection).

The bundled demo web stays in ``govsites/demo/`` (``make demo`` serves it); all of them share its server lifecycle,
``govsites.demo.loopback``.
"""
