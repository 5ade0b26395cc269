"""GraphiQL for development, served from this package (``page``) with vendored assets
(``static/``, pinned in ``static/VERSIONS.txt``): no CDN, so it works offline and under a CSP
that allows nothing from another origin."""
