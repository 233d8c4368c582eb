# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hypersender.whatsapp.cloud_health (what only a whole run's output shows), the verify_cloud role, and the Cloud
API parts of deploy_gate and fleet_report, through real ansible runs against the simulator's Graph API.

Every run is made at -vvvv and checked for the Cloud API token (conftest.SECRETS). What the module, the lookup and
the verify_cloud role return and how they fail is tested by the integration targets module_cloud_health,
lookup_cloud_health and role_verify_cloud.
"""

from __future__ import annotations

import json
import re
import textwrap

from conftest import CLOUD_TOKEN

WABA = "102290129340398"
NUMBER_1, NUMBER_2, NUMBER_3 = "106540352242922", "106540352242923", "106540352242924"
EXPIRED_TOKEN = "sim-cloud-token-expired-0042"
PAYMENT = {
    "error_code": 141006,
    "error_description": "There is an error with the payment method.",
    "possible_solution": "There was an error with your payment method. Please add a new payment method to the account.",
}


def number(number_id, health="AVAILABLE", **fields):
    item = {"id": number_id, "display_phone_number": "+1 555-078-%s" % number_id[-4:]}
    item["timeline" if isinstance(health, list) else "health"] = health
    item.update(fields)
    return item


def cloud_scenario(*numbers, waba_health="AVAILABLE", **cloud):
    section = {
        "tokens": [CLOUD_TOKEN],
        "expired_tokens": [EXPIRED_TOKEN],
        "wabas": [{"id": WABA, "health": waba_health, "phone_numbers": list(numbers)}],
    }
    section.update(cloud)
    return {"cloud": section, **({"faults": section.pop("faults")} if "faults" in section else {})}


def cloud_env(sim, token=CLOUD_TOKEN):
    return {"WA_CLOUD_API_URL": sim.cloud_url, "WA_CLOUD_TOKEN": token}


def graph_calls(sim):
    return [entry for entry in sim.requests() if entry["path"].startswith("/graph/")]


def play(*tasks):
    """A play on localhost with these tasks (each a YAML text)."""
    text = "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
    return text + "".join(textwrap.indent(textwrap.dedent(task).strip() + "\n", "    ") for task in tasks)


def failure_messages(output):
    decoder = json.JSONDecoder()
    return [
        decoder.raw_decode(output, match.end() - 1)[0].get("msg", "") for match in re.finditer(r"FAILED! => \{", output)
    ]


def debug_lines(output, first):
    decoder = json.JSONDecoder()
    found = []
    for match in re.finditer(r'"msg": \[', output):
        lines = decoder.raw_decode(output, output.index("[", match.start()))[0]
        if lines and isinstance(lines[0], str) and lines[0].startswith(first):
            found.append(lines)
    assert found, "no summary starting with %r in:\n%s" % (first, output[-4000:])
    return found[-1]


# --- the module and the lookup ------------------------------------------------------------------------------------


def test_no_token_in_a_whole_run_at_vvvv(simulator, ansible):
    """A Graph error body that quotes the Authorization header back, to the module and the lookup, and an expired
    token, in one playbook at -vvvv: the message shows it redacted; neither token is in the output (the ansible fixture
    scans for the scenario's)."""
    body = {"error": {"message": "Bearer %s is not allowed here" % CLOUD_TOKEN, "type": "OAuthException", "code": 1}}

    sim = simulator(cloud_scenario(number(NUMBER_1), faults=[{"path": "^/graph/", "status": 500, "body": body}]))
    run = ansible.playbook(
        textwrap.dedent("""
        - hosts: localhost
          gather_facts: false
          tasks:
            - hypersender.whatsapp.cloud_health:
                phone_number_id: "%(number)s"
                retries: 1
              ignore_errors: true
            - ansible.builtin.debug:
                msg: "{{ lookup('hypersender.whatsapp.cloud_health', phone_number_id='%(number)s', retries=0) }}"
              ignore_errors: true
            - hypersender.whatsapp.cloud_health:
                phone_number_id: "%(number)s"
                api_token: "{{ expired }}"
              ignore_errors: true
        """ % {"number": NUMBER_1}),
        extra_args=["-e", "expired=%s" % EXPIRED_TOKEN],
        env=cloud_env(sim),
    )
    assert run.rc == 0, run
    echoed, looked_up, expired = [result for state, result in run.results]
    assert "Bearer ******** is not allowed here" in echoed["msg"]
    assert "Bearer ******** is not allowed here" in looked_up["msg"]
    assert "code 190" in expired["msg"]
    assert EXPIRED_TOKEN not in run.output


# --- the role and the playbooks -------------------------------------------------------------------------------------

VERIFY_CLOUD_PLAY = """
- hosts: localhost
  gather_facts: false
  roles:
    - role: hypersender.whatsapp.verify_cloud
"""


def test_deploy_gate_runs_the_cloud_gate_when_its_token_is_given(simulator, ansible):
    sim = simulator(cloud_scenario(number(NUMBER_1), number(NUMBER_2)))
    env = dict(cloud_env(sim), WA_CLOUD_WABA_ID=WABA)
    run = ansible(["hypersender.whatsapp.deploy_gate"], command="ansible-playbook", env=env)
    assert run.rc == 0, run
    summary = debug_lines(run.output, "DEPLOY GATE:")
    assert summary[0] == "DEPLOY GATE: PASSED"
    assert summary[1] == "Hypersender instances: not checked (no HYPERSENDER_API_TOKEN)"
    assert summary[3] == "Cloud API numbers:     PASSED, 2 of 2 number(s) can send (AVAILABLE)"


def test_deploy_gate_cloud_failure_fails_the_step(simulator, ansible):
    sim = simulator(
        cloud_scenario(number(NUMBER_1, {"PHONE_NUMBER": {"can_send_message": "BLOCKED", "errors": [PAYMENT]}}))
    )
    run = ansible(
        ["hypersender.whatsapp.deploy_gate", "-e", "verify_cloud_timeout=0", "-e", "verify_cloud_waba_id=%s" % WABA],
        command="ansible-playbook",
        env=cloud_env(sim),
    )
    assert run.rc == 2, run
    summary = debug_lines(run.output, "DEPLOY GATE:")
    assert summary[0] == "DEPLOY GATE: FAILED"
    assert summary[3] == "Cloud API numbers:     FAILED, 0 of 1 number(s) can send (BLOCKED)"
    assert failure_messages(run.output)[-1].startswith("deploy_gate: FAILED. Cloud API: verify_cloud: not every")


def test_fleet_report_lists_the_wabas_numbers_with_their_health(simulator, ansible):
    sim = simulator(
        cloud_scenario(
            number(NUMBER_1),
            number(NUMBER_2, "LIMITED", quality_rating="YELLOW"),
            number(NUMBER_3, "BLOCKED", platform_type="ON_PREMISE"),
        )
    )
    run = ansible(
        ["hypersender.whatsapp.fleet_report", "-e", "fleet_report_dir=reports"],
        command="ansible-playbook",
        env=dict(cloud_env(sim), WA_CLOUD_WABA_ID=WABA),
    )
    assert run.rc == 0, run
    data = json.loads((ansible.tmp_path / "reports" / "fleet-report.json").read_text())
    assert data["hypersender"] == {"checked": False} and data["onprem"] == {"checked": False}
    assert [n["can_send_message"] for n in data["cloud"]["numbers"]] == ["AVAILABLE", "LIMITED", "BLOCKED"]
    markdown = (ansible.tmp_path / "reports" / "fleet-report.md").read_text()
    assert "## WhatsApp Cloud API numbers" in markdown and "2 of 3 number(s) can send; overall BLOCKED." in markdown
    assert "| `%s` | +1 555-078-2923 | Sim Business | LIMITED | YELLOW | CONNECTED | CLOUD_API |" % NUMBER_2 in markdown
    assert "platform_type ON_PREMISE" in markdown
    summary = debug_lines(run.output, "FLEET REPORT written to")
    assert "Cloud API: 2 of 3 number(s) can send (BLOCKED)" in summary
    assert [graph["path"] for graph in graph_calls(sim)] == ["/graph/v23.0/%s/phone_numbers" % WABA]
    for path in (ansible.tmp_path / "reports").iterdir():
        assert CLOUD_TOKEN not in path.read_text()


def test_fleet_report_escapes_the_numbers_cells(simulator, ansible):
    sim = simulator(cloud_scenario(number(NUMBER_1, verified_name="Shop | <b>x</b>")))
    run = ansible(
        ["hypersender.whatsapp.fleet_report", "-e", "fleet_report_dir=reports"],
        command="ansible-playbook",
        env=dict(cloud_env(sim), WA_CLOUD_WABA_ID=WABA),
    )
    assert run.rc == 0, run
    markdown = (ansible.tmp_path / "reports" / "fleet-report.md").read_text()
    rows = [line for line in markdown.splitlines() if NUMBER_1 in line]
    assert len(rows) == 1 and rows[0].count("|") == 8, rows  # 7 cells between 8 pipes: the name's pipe is an entity
    assert "| Shop &#124; &lt;b>x&lt;/b> |" in rows[0]


def test_verify_cloud_token_in_a_role_variable_stays_secret(simulator, ansible):
    """The token given as a (vaulted, here plain) role variable, not in the environment: never printed at -vvvv."""
    sim = simulator(cloud_scenario(number(NUMBER_1)))
    variables = ansible.tmp_path / "vars.json"
    variables.write_text(
        json.dumps(
            {
                "verify_cloud_api_token": CLOUD_TOKEN,
                "verify_cloud_api_url": sim.cloud_url,
                "verify_cloud_phone_number_ids": [NUMBER_1],
            }
        )
    )
    run = ansible.playbook(VERIFY_CLOUD_PLAY, extra_args=["-e", "@%s" % variables])
    assert run.rc == 0, run
    assert debug_lines(run.output, "verify_cloud: PASSED")[0].startswith("verify_cloud: PASSED, 1 number(s) can send")
    assert [call["auth"] for call in graph_calls(sim)] == ["bearer"]
