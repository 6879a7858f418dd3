"""PDF renderer: the HTML page printed by WeasyPrint (needs the Pango libraries and a CJK font).

Debian packages: ``libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk``.

The CJK font is the charts' (:func:`lantian.reports.charts.cjk_font`): a report without one fails
with what to install before anything is printed. A font that fontconfig found is the one WeasyPrint
finds through fontconfig too; a font file from the setting ``report_font`` (or one only matplotlib
knew) is declared to WeasyPrint with ``@font-face`` under a family of its own, which the whole page
then uses (a family fontconfig already knows would win over an ``@font-face`` of the same name). The
font configuration and that stylesheet are made once per process and font.
"""

from __future__ import annotations

import functools

from lantian.errors import ConfigError
from lantian.reports.charts import CJKFont, cjk_font
from lantian.reports.html import render_html
from lantian.reports.spec import Document

#: The family under which a font file is declared to WeasyPrint.
FILE_FAMILY = "lantian-report-font"


def _weasyprint():
    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        raise ConfigError(
            f"生成 PDF 需要 WeasyPrint 和 Pango 库（{exc}）：请用 `pip install 'lantian[reports]'` 和 "
            "`apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk` 安装，"
            "或改用其他 --format（html、xlsx、md、json）",
            en=f"PDF output needs WeasyPrint and the Pango libraries ({exc}); install them with "
            "`pip install 'lantian[reports]'` and `apt-get install libpango-1.0-0 libpangoft2-1.0-0 "
            "libharfbuzz-subset0 fonts-noto-cjk`, or choose another --format",
        ) from exc
    return weasyprint


def font_face_rules(font: CJKFont) -> str:
    """The stylesheet printing every element of the page in the font's file."""
    url = font.path.resolve().as_uri()
    return (
        f'@font-face {{ font-family: "{FILE_FAMILY}"; src: url("{url}"); }}\n'
        f'html, html * {{ font-family: "{FILE_FAMILY}", sans-serif !important; }}'
    )


@functools.lru_cache(maxsize=4)
def font_setup(font: CJKFont):
    """WeasyPrint's font configuration and the extra stylesheets for ``font`` (made once per font)."""
    weasyprint = _weasyprint()
    from weasyprint.text.fonts import FontConfiguration

    config = FontConfiguration()
    if font.source == "fontconfig":
        return config, ()
    return config, (weasyprint.CSS(string=font_face_rules(font), font_config=config),)


def render_pdf(doc: Document) -> bytes:
    """The document as PDF bytes (A4, GB/T 9704 margins, page numbers ``— n —``)."""
    weasyprint = _weasyprint()
    config, stylesheets = font_setup(cjk_font())
    return weasyprint.HTML(string=render_html(doc)).write_pdf(
        stylesheets=list(stylesheets), font_config=config
    )
