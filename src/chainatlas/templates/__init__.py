"""Standard chain templates: ready-made chain maps (产业链图谱) and their JSON file format.

Eight chains are bundled (new energy vehicles, lithium-ion batteries, integrated circuits,
new displays, photovoltaics, biomedicine, industrial robots and artificial intelligence);
:func:`list_templates` gives their codes and :func:`load_template` returns one as a
:class:`~chainatlas.domain.chain.Chain`. :func:`load_template_file` reads a user's template
of the same shape and :func:`template_to_dict` writes one back out.
"""

from __future__ import annotations

from chainatlas.templates.loader import (
    FORMAT_VERSION,
    list_templates,
    load_template,
    load_template_file,
    template_from_dict,
    template_to_dict,
)

__all__ = [
    "FORMAT_VERSION",
    "list_templates",
    "load_template",
    "load_template_file",
    "template_from_dict",
    "template_to_dict",
]
