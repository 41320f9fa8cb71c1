# Exercises: calling locals() marks every local of that function as used;
# vars() and locals in a nested function do not; string formatting helpers.
import string


def render(template, name, count):
    greeting = "hello"
    plural = "s" if count != 1 else ""
    return template.format(**locals())


def render_outer(template, name):
    title = name.title()

    def inner():
        return locals()

    return template.format(inner=inner())


def render_vars(obj):
    unused_here = 1
    return vars(obj)


def safe_render(template, **values):
    tpl = string.Template(template)
    extra = {"version": "1"}
    return tpl.safe_substitute(locals()["values"])


def locals_not_called(name):
    snapshot = locals
    stored = name
    return snapshot
