import re

import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    ("url_name", "current"),
    [
        ("home", "Home"),
        ("partnership-list", "Partnerships"),
        ("workshops:session-list", "Sessions"),
        ("workshops:programme-list", "Programmes"),
        ("surveys:template-list", "Questionnaires"),
        ("projects:project-list", "Projects"),
        ("organisation-list", "Organisations"),
    ],
)
def test_navigation_marks_the_current_section_only(client, lead, url_name, current):
    client.force_login(lead)

    response = client.get(reverse(url_name))

    assert re.findall(r'aria-current="page">([^<]+)</a>', response.text) == [current]
