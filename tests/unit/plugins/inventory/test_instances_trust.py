# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The inventory marks unsafe exactly what Ansible could template, and nothing else (ansible-inventory --export)."""

from __future__ import annotations

from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar
from ansible.utils.unsafe_proxy import AnsibleUnsafe
from ansible_collections.hypersender.whatsapp.plugins.inventory.instances import mark_trust
from ansible_collections.hypersender.whatsapp.plugins.module_utils._inventory import could_be_template
from hypothesis import given
from hypothesis import strategies as st

try:
    from ansible.template import is_trusted_as_template
except ImportError:  # ansible-core before 2.19 has no template trust: a plain string is plain
    is_trusted_as_template = None

JINJA_HEADER = (
    "#jinja2:variable_start_string:'[[', variable_end_string:']]'\n[[ lookup('ansible.builtin.env', 'HOME') ]]"
)


def ansible_sees_a_template(text):
    try:
        return Templar(loader=DataLoader()).is_possibly_template(text)
    except Exception:  # a malformed #jinja2: header: Ansible would try to template it, and fail
        return True


def test_the_jinja_header_alone_makes_a_template():
    assert ansible_sees_a_template(JINJA_HEADER) and "{" not in JINJA_HEADER
    assert could_be_template(JINJA_HEADER)


@given(
    st.one_of(
        st.text(),
        st.builds(lambda header, body: "#jinja2:" + header + "\n" + body, st.text(), st.text()),
        st.builds(lambda a, b: a + "{{" + b, st.text(), st.text()),
    )
)
def test_whatever_ansible_could_template_is_marked(text):
    if ansible_sees_a_template(text):
        assert could_be_template(text)


def unsafe(value):
    if is_trusted_as_template is None:
        return isinstance(value, AnsibleUnsafe)
    return not is_trusted_as_template(value)


@given(st.text())
def test_a_value_is_unsafe_exactly_when_it_could_be_a_template(text):
    marked = mark_trust(text)
    assert marked == text
    assert unsafe(marked) == could_be_template(text)


def test_values_that_are_not_strings_pass_unchanged_and_containers_are_marked_item_by_item():
    assert mark_trust(None) is None
    assert mark_trust(7) == 7
    marked = mark_trust({"a": ["plain", "{{ x }}"], "b": ("{% y %}",)})
    assert marked == {"a": ["plain", "{{ x }}"], "b": ["{% y %}"]}
    assert [unsafe(item) for item in marked["a"] + marked["b"]] == [False, True, True]
