"""The metric names a PromQL expression selects, so a check can hold them to what the services export.

A small tokenizer, not a full parser: strings, comments, durations and subquery ranges in `[...]`,
label matchers in `{...}`, label lists after by/without/on/ignoring/group_left/group_right, keywords,
aggregation operators and function calls are skipped; every other identifier is a metric name.
`{__name__="x"}` and a bare quoted name in braces (`{"x"}`, Prometheus 3) count as metric `x`.
Grafana variables (`$job`, `${job}`, `$__rate_interval`) are ignored. An identifier called like a
function that PromQL does not know raises `UnknownFunction`, so a misspelt function is caught too.
"""
import re

KEYWORDS = frozenset({"and", "or", "unless", "atan2", "bool", "offset", "by", "without", "on", "ignoring",
                      "group_left", "group_right", "inf", "nan"})
LABEL_LISTS = frozenset({"by", "without", "on", "ignoring", "group_left", "group_right"})
AGGREGATIONS = frozenset({"sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
                          "bottomk", "topk", "quantile", "limitk", "limit_ratio"})
FUNCTIONS = frozenset("""
    abs absent absent_over_time acos acosh asin asinh atan atanh avg_over_time ceil changes clamp clamp_max
    clamp_min cos cosh count_over_time day_of_month day_of_week day_of_year days_in_month deg delta deriv
    double_exponential_smoothing exp floor histogram_avg histogram_count histogram_fraction histogram_quantile
    histogram_stddev histogram_stdvar histogram_sum holt_winters hour idelta increase info irate label_join
    label_replace last_over_time ln log10 log2 mad_over_time max_over_time min_over_time minute month pi
    predict_linear present_over_time quantile_over_time rad rate resets round scalar sgn sin sinh sort
    sort_by_label sort_by_label_desc sort_desc sqrt stddev_over_time stdvar_over_time sum_over_time tan tanh
    time timestamp vector year start end
    first_over_time ts_of_first_over_time ts_of_last_over_time ts_of_max_over_time ts_of_min_over_time
""".split())

_TOKEN = re.compile(r"""
      (?P<space>\s+)
    | (?P<comment>\#[^\n]*)
    | (?P<string>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`[^`]*`)
    | (?P<variable>\$\{[^}]*\}|\$\w+|\[\[\w+(?::\w+)?\]\])
    | (?P<number>(?:0[xX][0-9a-fA-F]+|\d[\w.]*|\.\d[\w.]*))
    | (?P<ident>[A-Za-z_:][\w:]*)
    | (?P<punct>!=|!~|=~|==|>=|<=|[{}()\[\],=<>+\-*/%^@])
""", re.VERBOSE)


class UnknownFunction(ValueError):
    """An identifier is called like a function but PromQL has no such function."""


def _tokens(expr: str) -> list[tuple[str, str]]:
    out, at = [], 0
    while at < len(expr):
        match = _TOKEN.match(expr, at)
        if match is None:
            raise ValueError(f"cannot tokenize PromQL at {at}: {expr[at:at + 20]!r}")
        if match.lastgroup not in ("space", "comment"):
            out.append((match.lastgroup, match.group()))
        at = match.end()
    return out


def _check_balanced(tokens: list[tuple[str, str]]) -> None:
    pairs, stack = {")": "(", "]": "[", "}": "{"}, []
    for kind, value in tokens:
        if kind == "punct" and value in "([{":
            stack.append(value)
        elif kind == "punct" and value in ")]}":
            if not stack or stack.pop() != pairs[value]:
                raise ValueError(f"unbalanced {value!r} in PromQL")
    if stack:
        raise ValueError(f"unclosed {stack[-1]!r} in PromQL")


def _unquote(token: str) -> str:
    return token[1:-1] if token.startswith("`") else re.sub(r"\\(.)", r"\1", token[1:-1])


def _closing(tokens: list[tuple[str, str]], start: int, open_: str, close: str) -> int:
    """Index of the token that closes the bracket opened at `start`."""
    depth = 0
    for i in range(start, len(tokens)):
        if tokens[i] == ("punct", open_):
            depth += 1
        elif tokens[i] == ("punct", close):
            depth -= 1
            if depth == 0:
                return i
    raise ValueError(f"unbalanced {open_!r} in PromQL")


def _names_in_matchers(tokens: list[tuple[str, str]]) -> set[str]:
    """Metric names written inside `{...}`: `__name__="x"` or a bare quoted name."""
    names, i = set(), 0
    while i < len(tokens):
        kind, value = tokens[i]
        following = tokens[i + 1] if i + 1 < len(tokens) else ("punct", ",")
        if kind in ("ident", "string") and following[0] == "punct" and following[1] in ("=", "!=", "=~", "!~"):
            label = _unquote(value) if kind == "string" else value
            if label == "__name__" and following[1] == "=" and i + 2 < len(tokens) and tokens[i + 2][0] == "string":
                names.add(_unquote(tokens[i + 2][1]))
            i += 3
        elif kind == "string" and following == ("punct", ","):
            names.add(_unquote(value))
            i += 2
        else:
            i += 1
    return names


def metric_names(expr: str) -> set[str]:
    """The metric names `expr` selects."""
    tokens, names, i = _tokens(expr), set(), 0
    _check_balanced(tokens)
    while i < len(tokens):
        kind, value = tokens[i]
        following = tokens[i + 1] if i + 1 < len(tokens) else ("", "")
        if (kind, value) == ("punct", "{"):
            end = _closing(tokens, i, "{", "}")
            names |= _names_in_matchers(tokens[i + 1:end])
            i = end + 1
        elif (kind, value) == ("punct", "["):
            i = _closing(tokens, i, "[", "]") + 1
        elif kind != "ident":
            i += 1
        elif value.lower() in LABEL_LISTS and following == ("punct", "("):
            i = _closing(tokens, i + 1, "(", ")") + 1
        elif value.lower() in KEYWORDS or value.lower() in AGGREGATIONS:
            i += 1
        elif following == ("punct", "("):
            if value not in FUNCTIONS:
                raise UnknownFunction(f"unknown PromQL function {value}() in {expr!r}")
            i += 1
        else:
            names.add(value)
            i += 1
    return names


_LABEL_VALUES = re.compile(r"^\s*label_values\(\s*(?P<selector>.*),\s*[A-Za-z_]\w*\s*\)\s*$", re.DOTALL)
_QUERY_RESULT = re.compile(r"^\s*query_result\((?P<expr>.*)\)\s*$", re.DOTALL)


def grafana_variable_names(query: str) -> set[str]:
    """Metric names in a Grafana Prometheus variable query: label_values(sel, label), query_result(expr),
    metrics(regex) (no fixed name) or label_names()."""
    if match := _LABEL_VALUES.match(query):
        return metric_names(match["selector"])
    if match := _QUERY_RESULT.match(query):
        return metric_names(match["expr"])
    if re.match(r"^\s*(metrics|label_names|label_values)\(", query):
        return set()
    return metric_names(query)
