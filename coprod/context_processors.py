# Which main navigation item a page belongs to, by its URL name: (section, name prefixes, word in the name).
NAV_SECTIONS = [
    ("programmes", ("workshops:programme", "workshops:certificate"), ""),
    ("sessions", ("workshops:",), ""),
    ("projects", ("projects:",), ""),
    ("dashboard", ("surveys:",), "dashboard"),
    ("results", ("surveys:",), "results"),
    ("results", ("surveys:board-paper", "surveys:shared-link", "surveys:national-shared-links"), ""),
    ("questionnaires", ("surveys:",), ""),
    ("partnerships", ("partnership-", "member-"), ""),
    ("organisations", ("organisation-",), ""),
    ("users", ("user-",), ""),
    ("audit", ("audit-",), ""),
    ("home", ("home",), ""),
]


def navigation(request):
    match = getattr(request, "resolver_match", None)
    name = match.view_name if match else ""
    for section, prefixes, word in NAV_SECTIONS:
        if name.startswith(prefixes) and word in name:
            return {"nav_section": section}
    return {"nav_section": ""}
