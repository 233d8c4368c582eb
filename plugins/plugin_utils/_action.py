# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The controller side of every module of the collection (each module's action plugin is a subclass).

Before the module runs, :class:`WhatsAppAction` gives it the settings the collection's variables hold (the same
``whatsapp_<service>_<option>`` variables the lookups read), and checks its number options with the module's own
bounds so that a value that is no number is refused with facts a role can word. While the module waits, it
prints what the task waits for and then a line every ``progress_interval`` seconds, so that a long wait is
never silent for AWX, ansible-runner's idle_timeout or a CI log watcher (without ``async`` and its job lines).
"""

from __future__ import annotations

import threading
import time

from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import OptionError
from ansible_collections.hypersender.whatsapp.plugins.module_utils._module import invalid_option
from ansible_collections.hypersender.whatsapp.plugins.module_utils._transport import Service
from ansible_collections.hypersender.whatsapp.plugins.module_utils._wait import (
    PROGRESS_INTERVAL,
    check_numbers,
    format_seconds,
)

display = Display()

# The roles' private copies of the connection settings, deprecated in 0.2.0 and still read until 0.3.0:
# variable -> (service, option). Every module of the service reads them, as the roles' module_defaults did.
DEPRECATED_VARIABLES = {
    "wait_for_working_api_url": ("hypersender", "api_url"),
    "wait_for_working_api_token": ("hypersender", "api_token"),
    "wait_for_working_validate_certs": ("hypersender", "validate_certs"),
    "wait_for_working_ca_path": ("hypersender", "ca_path"),
    "wait_for_working_request_timeout": ("hypersender", "timeout"),
    "wait_for_working_retries": ("hypersender", "retries"),
    "verify_gateway_api_url": ("onprem", "api_url"),
    "verify_gateway_api_key": ("onprem", "api_key"),
    "verify_gateway_api_token": ("onprem", "api_token"),
    "verify_gateway_username": ("onprem", "username"),
    "verify_gateway_password": ("onprem", "password"),
    "verify_gateway_validate_certs": ("onprem", "validate_certs"),
    "verify_gateway_ca_path": ("onprem", "ca_path"),
    "verify_gateway_request_timeout": ("onprem", "timeout"),
    "verify_gateway_retries": ("onprem", "retries"),
    "verify_cloud_api_url": ("cloud", "api_url"),
    "verify_cloud_api_token": ("cloud", "api_token"),
    "verify_cloud_api_version": ("cloud", "api_version"),
    "verify_cloud_validate_certs": ("cloud", "validate_certs"),
    "verify_cloud_ca_path": ("cloud", "ca_path"),
    "verify_cloud_request_timeout": ("cloud", "timeout"),
    "verify_cloud_retries": ("cloud", "retries"),
}


def defaults(spec):
    """The defaults of a module argument spec's options."""
    return {name: option.get("default") for name, option in spec.items()}


def statuses(names):
    """['WORKING'] -> 'WORKING', ['A', 'B'] -> 'A or B'."""
    return " or ".join(names or ["WORKING"])


def instances_subject(args):
    """The selection of instance_info and fleet_heal in words, e.g. '2 instances' or "every instance whose name
    contains 'shop-'"."""
    count, name = len(args.get("instances") or []), args.get("name")
    if not count:
        selected = "every instance"
    elif name:
        selected = "the %d listed instances" % count
    else:
        selected = "%d instance%s" % (count, "" if count == 1 else "s")
    if name:
        return "%s whose name contains '%s'" % (selected, name)
    filtered = any(args.get(key) for key in ("uuid", "phone", "status"))
    return selected + (" matching the filters" if filtered else "" if count else " of the account")


class WhatsAppAction(ActionBase):
    """Runs the module after binding the collection's variables and checking its numbers; prints progress."""

    _supports_check_mode = True
    _supports_async = True

    # The module's _transport.Service, and the defaults of its wait options (the module's wait argument spec).
    service: Service | None = None
    wait_defaults: dict[str, object] = {}
    # Whether the module always waits (no `wait` option), and what one poll requests, for the progress lines.
    always_waits = False
    request = "request"

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp  # tmp no longer has any effect
        args = dict(self._task.args)
        sources = self.bind_variables(args, task_vars or {})
        errors = []
        for name in args:
            try:
                args.update(check_numbers({name: args[name]}))
            except OptionError as error:
                errors.append(error)
        if errors:
            facts = [dict(invalid_option(error), variable=sources.get(error.option)) for error in errors]
            result.update(failed=True, changed=False, msg="; ".join(map(str, errors)), invalid_options=facts)
            return result
        return self.execute(args, task_vars, result)

    def execute(self, args, task_vars, result):
        """Run the module once with ``args``, with progress lines while it waits."""
        with self.progress(args):
            result.update(self.run_module(args, task_vars))
        return result

    def run_module(self, args, task_vars):
        wrap_async = self._task.async_val and not self._connection.has_native_async
        answer = self._execute_module(module_args=args, task_vars=task_vars, wrap_async=wrap_async)
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return answer

    # --- settings from variables ------------------------------------------------------------------------------

    def bind_variables(self, args, task_vars):
        """Set each option of ``args`` that nothing set (task, module_defaults) from its variable, if defined.

        Precedence, as for the lookups: the task and module_defaults, then the variable, then the environment
        (the module's fallback), then the default. A deprecated role variable still counts, with a warning.
        Returns option -> the variable that set it.
        """
        sources = {}
        for option in self.service.options:
            if args.get(option) is not None:
                continue
            names = [old for old, target in DEPRECATED_VARIABLES.items() if target == (self.service.name, option)]
            for name in names + [self.service.variable(option)]:
                value = self._templar.template(task_vars[name]) if name in task_vars else None
                if value is None or value == "":
                    continue
                if name in DEPRECATED_VARIABLES:
                    display.deprecated(
                        "the variable %s is deprecated: set %s, the environment variable or module_defaults for "
                        "group/hypersender.whatsapp.%s instead"
                        % (name, self.service.variable(option), self.service.name),
                        version="0.3.0",
                        collection_name="hypersender.whatsapp",
                    )
                args[option] = value
                sources[option] = name
                break
        return sources

    # --- progress ---------------------------------------------------------------------------------------------

    def waits(self, args):
        """Whether the module will wait (not in check mode, nor under async)."""
        wanted = self.always_waits or boolean(args.get("wait", False), strict=False)
        return wanted and not self._task.check_mode and not self._task.async_val

    def looks_in_check_mode(self, args):
        """Whether, in check mode, the module reads once instead of waiting (then a line says so)."""
        return boolean(args.get("wait", False), strict=False)

    def label(self):
        """The name progress lines start with: the role the task belongs to, else the module."""
        role = getattr(self._task, "_role", None)
        return getattr(role, "_role_name", None) or self._task.action.split(".")[-1]

    def setting(self, args, name):
        return args[name] if args.get(name) is not None else self.wait_defaults.get(name)

    def subject(self, args):
        """What the module reads, for the progress lines, e.g. '2 instances'."""
        return "the %s" % self.request

    def goal(self, args):
        """What the subject must become, e.g. 'to be WORKING'."""
        return "to be ready"

    def interval(self, args):
        """The seconds between two polls the module will apply."""
        return self.setting(args, "wait_sleep")

    def plan(self, args):
        """The first line of a wait: how long at most, for what, and how often it asks."""
        pace = self.interval(args)
        return "waiting up to %s s for %s %s%s" % (
            format_seconds(self.setting(args, "wait_timeout")),
            self.subject(args),
            self.goal(args),
            " (one %s every %s s)" % (self.request, format_seconds(pace)) if pace else "",
        )

    def progress(self, args, plan=True, started=None):
        """A context that prints the plan (if ``plan``) and progress lines while the module waits (nothing if it
        does not); ``started``, a time.monotonic() value, is when the wait began if not now."""
        if self.waits(args):
            interval = self.setting(args, "progress_interval")
            return Progress(
                self.label(), self.plan(args) if plan else None, self.setting(args, "wait_timeout"), interval, started
            )
        if self._task.check_mode and self.looks_in_check_mode(args):
            display.display("%s: check mode, so one look at %s and no waiting" % (self.label(), self.subject(args)))
        return Progress(None)


class Progress:
    """Prints ``plan`` now, then a line every ``interval`` seconds until the ``with`` block ends."""

    def __init__(self, label, plan=None, timeout=None, interval=PROGRESS_INTERVAL, started=None):
        self.label = label
        self.plan = plan
        self.timeout = timeout
        self.interval = interval
        self.started = time.monotonic() if started is None else started
        self._done = threading.Event()
        self._thread = None

    def __enter__(self):
        if self.label is None:
            return self
        if self.plan:
            display.display("%s: %s" % (self.label, self.plan))
        if self.interval:
            self._thread = threading.Thread(target=self._tick, name="hypersender-whatsapp-progress", daemon=True)
            self._thread.start()
        return self

    def _tick(self):
        while not self._done.wait(self.interval):
            # The module started a moment after this clock: near the end, it may still be answering.
            waited = min(time.monotonic() - self.started, self.timeout)
            display.display(
                "%s: still waiting, %s s of at most %s s"
                % (self.label, format_seconds(waited), format_seconds(self.timeout))
            )

    def __exit__(self, exc_type, exc, tb):
        self._done.set()
        if self._thread is not None:
            self._thread.join()
        return False
