"""PDF renderer: the HTML page printed by WeasyPrint (needs the Pango libraries and Noto CJK fonts).

Debian packages: ``libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk``.
"""

from __future__ import annotations

from lantian.errors import ConfigError
from lantian.reports.html import render_html
from lantian.reports.spec import Document


def render_pdf(doc: Document) -> bytes:
    """The document as PDF bytes (A4, GB/T 9704 margins, page numbers ``— n —``)."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        raise ConfigError(
            f"PDF output needs WeasyPrint and the Pango libraries ({exc}); install them with "
            "`pip install 'lantian[reports]'` and `apt-get install libpango-1.0-0 libpangoft2-1.0-0 "
            "libharfbuzz-subset0 fonts-noto-cjk`, or choose another --format"
        ) from exc
    return weasyprint.HTML(string=render_html(doc)).write_pdf()
