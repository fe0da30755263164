"""The web app: server-rendered pages (Jinja2 + htmx + ECharts), i18n and chart specs.

The pages are routers included by :func:`chainatlas.api.app.create_app`; each renders
the same data as its JSON twin under ``/api/v1``.
"""

__all__: list[str] = []
