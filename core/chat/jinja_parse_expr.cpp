// Expression parsing with jinja2's precedence, loosest first:
// conditional, or, and, not, comparisons, + -, ~, * / // %, **, unary - +, then primaries
// with postfix ., [], () and the filter/test chain (| and is).
#include <cerrno>
#include <charconv>
#include <cstdlib>

#include "core/chat/jinja_filters.h"
#include "core/chat/jinja_parser_impl.h"

namespace hearth::jinja {

ExprPtr Parser::parse_expression(bool with_condexpr) {
    const DepthGuard guard(*this);
    return with_condexpr ? parse_condition() : parse_or();
}

// A bare comma-separated list becomes a tuple: `{{ a, b }}`, `{% set x = 1, 2 %}`.
ExprPtr Parser::parse_tuple(bool with_condexpr, bool explicit_parentheses) {
    const int line = peek().line;
    std::vector<ExprPtr> items;
    bool is_tuple = false;
    while (true) {
        if (!items.empty()) expect_op(",");
        if (at(TokenKind::var_end) || at(TokenKind::block_end) || at_op(")")) break;
        items.push_back(parse_expression(with_condexpr));
        if (!at_op(",")) break;
        is_tuple = true;
    }
    if (!is_tuple) {
        if (!items.empty()) return std::move(items.front());
        if (!explicit_parentheses) fail("expected an expression");
    }
    ExprPtr tuple = make_expr(ExprKind::tuple, line);
    tuple->children = std::move(items);
    return tuple;
}

ExprPtr Parser::parse_condition() {
    ExprPtr expr = parse_or();
    while (at_name("if")) {
        const int line = next().line;
        ExprPtr cond = parse_or();
        ExprPtr otherwise;
        if (skip_name("else")) {
            const DepthGuard guard(*this);
            otherwise = parse_condition();
        }
        ExprPtr node = make_expr(ExprKind::conditional, line);
        node->children.push_back(std::move(expr));
        node->children.push_back(std::move(cond));
        node->children.push_back(std::move(otherwise));
        expr = std::move(node);
    }
    return expr;
}

ExprPtr Parser::parse_or() {
    ExprPtr left = parse_and();
    while (at_name("or")) {
        ExprPtr node = make_expr(ExprKind::logical_or, next().line);
        node->children.push_back(std::move(left));
        node->children.push_back(parse_and());
        left = std::move(node);
    }
    return left;
}

ExprPtr Parser::parse_and() {
    ExprPtr left = parse_not();
    while (at_name("and")) {
        ExprPtr node = make_expr(ExprKind::logical_and, next().line);
        node->children.push_back(std::move(left));
        node->children.push_back(parse_not());
        left = std::move(node);
    }
    return left;
}

ExprPtr Parser::parse_not() {
    if (!at_name("not")) return parse_compare();
    const DepthGuard guard(*this);
    ExprPtr node = make_expr(ExprKind::logical_not, next().line);
    node->children.push_back(parse_not());
    return node;
}

ExprPtr Parser::parse_compare() {
    const int line = peek().line;
    ExprPtr first = parse_math1();
    ExprPtr node;
    while (true) {
        std::string op;
        if (at(TokenKind::op) && (peek().text == "==" || peek().text == "!=" || peek().text == "<" ||
                                  peek().text == "<=" || peek().text == ">" || peek().text == ">=")) {
            op = next().text;
        } else if (skip_name("in")) {
            op = "in";
        } else if (at_name("not") && at_name("in", 1)) {
            next();
            next();
            op = "not in";
        } else {
            break;
        }
        if (!node) {
            node = make_expr(ExprKind::compare, line);
            node->children.push_back(std::move(first));
        }
        node->ops.push_back(op);
        node->children.push_back(parse_math1());
    }
    return node ? std::move(node) : std::move(first);
}

namespace {

ExprPtr binary(ExprPtr node, ExprPtr left, ExprPtr right) {
    node->children.push_back(std::move(left));
    node->children.push_back(std::move(right));
    return node;
}

}  // namespace

ExprPtr Parser::parse_math1() {
    ExprPtr left = parse_concat();
    while (at_op("+") || at_op("-")) {
        ExprPtr node = make_expr(ExprKind::binary, peek().line);
        node->name = next().text;
        left = binary(std::move(node), std::move(left), parse_concat());
    }
    return left;
}

ExprPtr Parser::parse_concat() {
    ExprPtr left = parse_math2();
    while (at_op("~")) {
        ExprPtr node = make_expr(ExprKind::binary, peek().line);
        node->name = next().text;
        left = binary(std::move(node), std::move(left), parse_math2());
    }
    return left;
}

ExprPtr Parser::parse_math2() {
    ExprPtr left = parse_pow();
    while (at_op("*") || at_op("/") || at_op("//") || at_op("%")) {
        ExprPtr node = make_expr(ExprKind::binary, peek().line);
        node->name = next().text;
        left = binary(std::move(node), std::move(left), parse_pow());
    }
    return left;
}

ExprPtr Parser::parse_pow() {
    ExprPtr left = parse_unary(true);
    while (at_op("**")) {  // left-associative in jinja2, unlike Python
        ExprPtr node = make_expr(ExprKind::binary, peek().line);
        node->name = next().text;
        left = binary(std::move(node), std::move(left), parse_unary(true));
    }
    return left;
}

// Unary minus binds tighter than filters and **: `-x|abs` is `(-x)|abs`, `-2 ** 2` is 4.
ExprPtr Parser::parse_unary(bool with_filter) {
    const DepthGuard guard(*this);
    ExprPtr node;
    if (at_op("-") || at_op("+")) {
        node = make_expr(at_op("-") ? ExprKind::negate : ExprKind::plus, peek().line);
        next();
        node->children.push_back(parse_unary(false));
    } else {
        node = parse_primary();
    }
    node = parse_postfix(std::move(node));
    return with_filter ? parse_filter_expr(std::move(node)) : std::move(node);
}

ExprPtr Parser::parse_primary() {
    const Token& t = peek();
    ExprPtr node = make_expr(ExprKind::literal, t.line);
    switch (t.kind) {
        case TokenKind::name: {
            const std::string name = next().text;
            if (name == "true" || name == "True") {
                node->literal = Value::boolean(true);
            } else if (name == "false" || name == "False") {
                node->literal = Value::boolean(false);
            } else if (name == "none" || name == "None") {
                node->literal = Value::none();
            } else {
                node->kind = ExprKind::name;
                node->name = name;
            }
            return node;
        }
        case TokenKind::string: {
            std::string s;
            while (at(TokenKind::string)) s += next().text;  // adjacent literals concatenate
            node->literal = Value::string(std::move(s));
            return node;
        }
        case TokenKind::integer: {
            std::int64_t v = 0;
            const auto res = std::from_chars(t.text.data(), t.text.data() + t.text.size(), v);
            if (res.ec != std::errc()) fail("integer literal out of range");
            next();
            node->literal = Value::integer(v);
            return node;
        }
        case TokenKind::floating: {
            node->literal = Value::floating(std::strtod(next().text.c_str(), nullptr));
            return node;
        }
        case TokenKind::op:
            if (t.text == "(") {
                next();
                ExprPtr inner = parse_tuple(true, true);
                expect_op(")");
                return inner;
            }
            if (t.text == "[" || t.text == "{") return parse_literal_collection(next().text);
            break;
        default: break;
    }
    fail("unexpected token in expression");
}

ExprPtr Parser::parse_literal_collection(std::string_view open) {
    const bool is_list = open == "[";
    ExprPtr node = make_expr(is_list ? ExprKind::list : ExprKind::dict, peek().line);
    const std::string_view close = is_list ? "]" : "}";
    while (!at_op(close)) {
        if (!node->children.empty()) expect_op(",");
        if (at_op(close)) break;  // trailing comma
        node->children.push_back(parse_expression());
        if (!is_list) {
            expect_op(":");
            node->children.push_back(parse_expression());
        }
    }
    expect_op(close);
    return node;
}

ExprPtr Parser::parse_postfix(ExprPtr node) {
    while (true) {
        if (at_op(".") || at_op("[")) {
            node = parse_subscript(std::move(node));
        } else if (at_op("(")) {
            node = parse_call(std::move(node));
        } else {
            return node;
        }
    }
}

ExprPtr Parser::parse_filter_expr(ExprPtr node) {
    while (true) {
        if (at_op("|")) {
            node = parse_filter(std::move(node));
        } else if (at_name("is")) {
            node = parse_test(std::move(node));
        } else if (at_op("(")) {
            node = parse_call(std::move(node));
        } else {
            return node;
        }
    }
}

ExprPtr Parser::parse_subscript(ExprPtr node) {
    const int line = peek().line;
    if (skip_op(".")) {
        if (at(TokenKind::integer)) {  // x.0 is x[0]
            ExprPtr item = make_expr(ExprKind::item, line);
            ExprPtr index = parse_primary();
            item->children.push_back(std::move(node));
            item->children.push_back(std::move(index));
            return item;
        }
        ExprPtr attr = make_expr(ExprKind::attribute, line);
        attr->name = expect_identifier();
        attr->children.push_back(std::move(node));
        return attr;
    }
    expect_op("[");
    if (at_op("]")) return parse_tuple_subscript(std::move(node), nullptr, line);
    ExprPtr start;
    if (!at_op(":")) {
        start = parse_expression();
        if (at_op(",")) return parse_tuple_subscript(std::move(node), std::move(start), line);
        if (skip_op("]")) {
            ExprPtr item = make_expr(ExprKind::item, line);
            item->children.push_back(std::move(node));
            item->children.push_back(std::move(start));
            return item;
        }
    }
    ExprPtr slice = make_expr(ExprKind::slice, line);
    slice->children.push_back(std::move(node));
    slice->children.push_back(std::move(start));
    expect_op(":");
    slice->children.push_back(at_op("]") || at_op(":") ? nullptr : parse_expression());
    ExprPtr step;
    if (skip_op(":") && !at_op("]")) step = parse_expression();
    slice->children.push_back(std::move(step));
    expect_op("]");
    return slice;
}

// x[] and x[a, b] subscript with a tuple, as in Python (the lookup finds nothing in practice).
ExprPtr Parser::parse_tuple_subscript(ExprPtr node, ExprPtr first, int line) {
    ExprPtr key = make_expr(ExprKind::tuple, line);
    if (first) key->children.push_back(std::move(first));
    while (skip_op(",")) key->children.push_back(parse_expression());
    expect_op("]");
    ExprPtr item = make_expr(ExprKind::item, line);
    item->children.push_back(std::move(node));
    item->children.push_back(std::move(key));
    return item;
}

ExprPtr Parser::parse_call(ExprPtr callee) {
    ExprPtr call = make_expr(ExprKind::call, peek().line);
    call->children.push_back(std::move(callee));
    parse_call_args(*call);
    return call;
}

void Parser::parse_call_args(Expr& node) {
    expect_op("(");
    bool first = true;
    while (!at_op(")")) {
        if (!first) expect_op(",");
        first = false;
        if (at_op(")")) break;
        if (at_op("*") || at_op("**")) {
            const bool keywords = next().text == "**";
            ExprPtr splat = make_expr(ExprKind::splat, peek().line);
            splat->children.push_back(parse_expression());
            if (keywords) {
                node.keywords.emplace_back("", std::move(splat));
            } else {
                node.children.push_back(std::move(splat));
            }
        } else if (at(TokenKind::name) && at_op("=", 1)) {
            std::string key = next().text;
            next();
            node.keywords.emplace_back(std::move(key), parse_expression());
        } else {
            if (!node.keywords.empty()) fail("positional argument after keyword argument");
            node.children.push_back(parse_expression());
        }
    }
    expect_op(")");
}

// jinja2 rejects a filter or test it does not define when it compiles the template, except in
// an if statement's soft frame, where the error waits until the expression runs.
void Parser::check_known(std::string_view kind, const std::string& name, bool known) const {
    if (!known && !soft_) fail("no " + std::string(kind) + " named '" + name + "'");
}

std::string Parser::parse_dotted_name() {
    std::string name = expect_identifier();
    while (skip_op(".")) name.append(".").append(expect_identifier());
    return name;
}

ExprPtr Parser::parse_filter(ExprPtr operand) {
    ExprPtr node = make_expr(ExprKind::filter, next().line);
    node->name = parse_dotted_name();
    check_known("filter", node->name, is_jinja_filter(node->name));
    node->children.push_back(std::move(operand));
    if (at_op("(")) parse_call_args(*node);
    return node;
}

ExprPtr Parser::parse_test(ExprPtr operand) {
    ExprPtr node = make_expr(ExprKind::test, next().line);
    node->negated = skip_name("not");
    node->name = parse_dotted_name();
    check_known("test", node->name, is_jinja_test(node->name));
    node->children.push_back(std::move(operand));
    const Token& t = peek();
    const bool argument_follows =
        t.kind == TokenKind::string || t.kind == TokenKind::integer || t.kind == TokenKind::floating ||
        (t.kind == TokenKind::op && (t.text == "[" || t.text == "{")) ||
        (t.kind == TokenKind::name && t.text != "else" && t.text != "or" && t.text != "and");
    if (at_op("(")) {
        parse_call_args(*node);
    } else if (argument_follows) {
        if (at_name("is")) fail("tests cannot be chained with 'is'");
        node->children.push_back(parse_postfix(parse_primary()));
    }
    return node;
}

}  // namespace hearth::jinja
