"""No import circle in the window's modules: a module imports nothing that imports it back,
counting the imports made only for type checking and those inside functions.

(The escalation panel and its parts, and the post-mortem menu and editor, used to import each
other; the layers contract does not see a circle inside one layer.)
"""

from __future__ import annotations

import grimp

PACKAGE = "incidentdesk.ui"


def circles() -> list[tuple[str, str]]:
    """Each (module, imported) pair under the package whose import leads back to the module."""
    graph = grimp.build_graph(
        "incidentdesk",
        include_external_packages=False,
        exclude_type_checking_imports=False,
        cache_dir=None,
    )
    found = []
    for module in sorted(m for m in graph.modules if m.startswith(f"{PACKAGE}.")):
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported.startswith(PACKAGE) and graph.find_shortest_chain(imported, module):
                found.append((module, imported))
    return found


def test_no_module_of_the_window_imports_one_that_imports_it_back() -> None:
    assert circles() == []
