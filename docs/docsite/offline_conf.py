# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Appended by scripts/build-docs to the conf.py that `antsibull-docs sphinx-init` generates.
# The build runs without network, so Sphinx cannot fetch the intersphinx inventories of
# docs.ansible.com; the few Ansible labels the generated pages use are resolved here to their
# public pages. Any other unresolved reference still warns, and -W turns warnings into errors.

intersphinx_mapping = {}

ANSIBLE_DOCS = "https://docs.ansible.com/projects/ansible/latest/"
ANSIBLE_LABELS = {
    "action_plugins": ("plugins/action.html", "Action plugins"),
    "ansible_configuration_settings": ("reference_appendices/config.html", "Ansible Configuration Settings"),
    "common_return_values": ("reference_appendices/common_return_values.html", "Return Values"),
}


def _resolve_ansible_label(app, env, node, contnode):  # pylint: disable=unused-argument
    from docutils import nodes  # pylint: disable=import-outside-toplevel

    name = node.get("reftarget", "")
    target = ANSIBLE_LABELS.get(name)
    if target is None and node.get("reftype") == "envvar" and name.startswith("ANSIBLE_"):
        # ansible-core's own settings (e.g. the inventory cache's ANSIBLE_CACHE_PLUGIN), on its config page
        target = ("reference_appendices/config.html#envvar-" + name, name)
    if target is None:
        return None
    reference = nodes.reference("", "", internal=False, refuri=ANSIBLE_DOCS + target[0])
    reference.append(contnode if contnode.astext() else nodes.Text(target[1]))
    return reference


def setup(app):
    app.connect("missing-reference", _resolve_ansible_label)
