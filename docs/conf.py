"""Sphinx configuration: numpydoc docstrings, autosummary API pages, a gallery."""

import os
import re
import sys

sys.path.insert(0, os.path.abspath(".."))

import statkit

project = "statkit"
author = "The statkit developers"
copyright = "2026, The statkit developers"
version = release = statkit.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "examples", "Thumbs.db", ".DS_Store"]
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

html_theme = "pydata_sphinx_theme"
html_title = f"statkit {version}"
html_theme_options = {"navigation_with_keys": False, "show_prev_next": False}

sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
}
# Parameters must be documented; a warning is an error in `make docs`.
numpydoc_validation_checks = {"PR01", "PR02", "PR03", "PR06", "PR07", "SS03", "SS05"}


def _skip_metadata_request_methods(app, what, name, obj, skip, options):
    """Hide the ``set_*_request`` methods scikit-learn adds for metadata routing.

    Their docstrings link to scikit-learn's glossary, which these docs lack.
    """
    return True if re.fullmatch(r"set_\w+_request", name) else None


def setup(app):
    app.connect("autodoc-skip-member", _skip_metadata_request_methods)
